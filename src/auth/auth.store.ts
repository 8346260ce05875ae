import type {
  ApiTokenRecord,
  GrantRecord,
  GroupRecord,
  PrincipalType,
  RefreshTokenRecord,
  User,
} from './auth.entities';
import type { Permission, ResourceType } from './permissions';

/** Persistence of users, groups, tokens and grants; one transaction per method. */
export abstract class AuthStore {
  abstract createUser(username: string, passwordHash: string, isAdmin: boolean): Promise<User>;
  abstract userByName(username: string): Promise<User | null>;
  abstract userById(id: number): Promise<User | null>;
  abstract listUsers(): Promise<User[]>;
  abstract countAdmins(): Promise<number>;
  abstract setPassword(userId: number, passwordHash: string): Promise<void>;
  abstract setAdmin(userId: number, isAdmin: boolean): Promise<void>;
  /** Deletes the user with its tokens, memberships and grants. */
  abstract deleteUser(userId: number): Promise<void>;

  abstract createToken(token: ApiTokenRecord): Promise<void>;
  abstract tokenById(id: string): Promise<ApiTokenRecord | null>;
  abstract listTokens(userId: number): Promise<ApiTokenRecord[]>;
  abstract revokeToken(id: string): Promise<void>;
  abstract touchToken(id: string, at: number): Promise<void>;

  abstract createRefreshToken(token: RefreshTokenRecord): Promise<void>;
  /** Marks the refresh token used and returns it, or null when unknown or already used. */
  abstract consumeRefreshToken(id: string): Promise<RefreshTokenRecord | null>;

  abstract createGroup(name: string): Promise<GroupRecord>;
  abstract groupByName(name: string): Promise<GroupRecord | null>;
  abstract listGroups(): Promise<GroupRecord[]>;
  abstract deleteGroup(id: number): Promise<void>;
  abstract addMember(groupId: number, userId: number): Promise<void>;
  abstract removeMember(groupId: number, userId: number): Promise<boolean>;

  abstract grant(record: GrantRecord): Promise<'created' | 'exists'>;
  abstract updateGrant(record: GrantRecord): Promise<boolean>;
  abstract getGrant(
    type: ResourceType,
    resourceId: string,
    principalType: PrincipalType,
    principalId: number,
  ): Promise<GrantRecord | null>;
  abstract deleteGrant(
    type: ResourceType,
    resourceId: string,
    principalType: PrincipalType,
    principalId: number,
  ): Promise<boolean>;
  abstract deleteResourceGrants(type: ResourceType, resourceId: string): Promise<void>;
  abstract renameResourceGrants(type: ResourceType, from: string, to: string): Promise<void>;
  abstract grantsOf(principalType: PrincipalType, principalId: number): Promise<GrantRecord[]>;
  /** The permissions that apply to the user on each resource: own grants and group grants. */
  abstract effectiveGrants(
    userId: number,
    type: ResourceType,
    resourceIds: string[],
  ): Promise<Map<string, Permission[]>>;
  /** Every resource of the type on which the user (or a group of theirs) holds any grant. */
  abstract allEffectiveGrants(
    userId: number,
    type: ResourceType,
  ): Promise<Map<string, Permission[]>>;
}
