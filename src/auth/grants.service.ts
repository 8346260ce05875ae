import { Injectable } from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import type { GrantRecord, GroupRecord, PrincipalType } from './auth.entities';
import { AuthStore } from './auth.store';
import type { Permission, ResourceType } from './permissions';
import type { Principal } from './principal';

/** A grantee as named in a request: a user or a group. */
export type Grantee = { user: string } | { group: string };

const RESOURCE_NAMES: Record<ResourceType, string> = {
  experiment: 'Experiment',
  registered_model: 'Registered model',
};

/** Grants of permissions on experiments and registered models, and the groups they may go to. */
@Injectable()
export class GrantsService {
  constructor(private readonly store: AuthStore) {}

  private async principalOf(grantee: Grantee): Promise<{ type: PrincipalType; id: number }> {
    if ('user' in grantee) {
      const user = await this.store.userByName(grantee.user);
      if (!user) throw MlflowError.notFound(`User with username=${grantee.user} not found`);
      return { type: 'user', id: user.id };
    }
    const group = await this.store.groupByName(grantee.group);
    if (!group) throw MlflowError.notFound(`Group ${grantee.group} not found`);
    return { type: 'group', id: group.id };
  }

  async create(type: ResourceType, resourceId: string, grantee: Grantee, permission: Permission) {
    const p = await this.principalOf(grantee);
    const record: GrantRecord = {
      resourceType: type,
      resourceId,
      principalType: p.type,
      principalId: p.id,
      permission,
    };
    if ((await this.store.grant(record)) === 'exists') {
      throw MlflowError.alreadyExists(
        `${RESOURCE_NAMES[type]} permission (${resourceId}) already exists for this grantee.`,
      );
    }
    return record;
  }

  /** Creates the grant, or changes its permission when the grantee already has one. */
  async set(type: ResourceType, resourceId: string, grantee: Grantee, permission: Permission) {
    const p = await this.principalOf(grantee);
    await this.upsert({
      resourceType: type,
      resourceId,
      principalType: p.type,
      principalId: p.id,
      permission,
    });
  }

  private async upsert(record: GrantRecord): Promise<void> {
    if ((await this.store.grant(record)) === 'exists') await this.store.updateGrant(record);
  }

  async get(type: ResourceType, resourceId: string, grantee: Grantee): Promise<GrantRecord> {
    const p = await this.principalOf(grantee);
    const record = await this.store.getGrant(type, resourceId, p.type, p.id);
    if (!record) throw this.missing(type, resourceId);
    return record;
  }

  async update(type: ResourceType, resourceId: string, grantee: Grantee, permission: Permission) {
    const p = await this.principalOf(grantee);
    const record = {
      resourceType: type,
      resourceId,
      principalType: p.type,
      principalId: p.id,
      permission,
    };
    if (!(await this.store.updateGrant(record))) throw this.missing(type, resourceId);
  }

  async delete(type: ResourceType, resourceId: string, grantee: Grantee): Promise<void> {
    const p = await this.principalOf(grantee);
    if (!(await this.store.deleteGrant(type, resourceId, p.type, p.id))) {
      throw this.missing(type, resourceId);
    }
  }

  /** The creator of an experiment or registered model manages it (as in MLflow). */
  async grantCreator(principal: Principal, type: ResourceType, resourceId: string): Promise<void> {
    if (principal.userId === 0) return;
    await this.upsert({
      resourceType: type,
      resourceId,
      principalType: 'user',
      principalId: principal.userId,
      permission: 'MANAGE',
    });
  }

  /** Grants follow a registered model that is renamed (they are keyed by name). */
  followRename(type: ResourceType, from: string, to: string): Promise<void> {
    return this.store.renameResourceGrants(type, from, to);
  }

  /** A deleted resource leaves no grants behind for a later one of the same name. */
  forgetResource(type: ResourceType, resourceId: string): Promise<void> {
    return this.store.deleteResourceGrants(type, resourceId);
  }

  grantsOfUser(userId: number): Promise<GrantRecord[]> {
    return this.store.grantsOf('user', userId);
  }

  async grantsOfGroup(name: string): Promise<GrantRecord[]> {
    const p = await this.principalOf({ group: name });
    return this.store.grantsOf('group', p.id);
  }

  async createGroup(name: string): Promise<GroupRecord> {
    if (!/^[\w.@-]{1,255}$/.test(name)) throw MlflowError.invalid(`Invalid group name '${name}'.`);
    if (await this.store.groupByName(name)) {
      throw MlflowError.alreadyExists(`Group '${name}' already exists.`);
    }
    return this.store.createGroup(name);
  }

  listGroups(): Promise<GroupRecord[]> {
    return this.store.listGroups();
  }

  async deleteGroup(name: string): Promise<void> {
    const p = await this.principalOf({ group: name });
    await this.store.deleteGroup(p.id);
  }

  async addMember(group: string, username: string): Promise<void> {
    const g = await this.principalOf({ group });
    const u = await this.principalOf({ user: username });
    await this.store.addMember(g.id, u.id);
  }

  async removeMember(group: string, username: string): Promise<void> {
    const g = await this.principalOf({ group });
    const u = await this.principalOf({ user: username });
    if (!(await this.store.removeMember(g.id, u.id))) {
      throw MlflowError.notFound(`User ${username} is not a member of group ${group}.`);
    }
  }

  private missing(type: ResourceType, resourceId: string): MlflowError {
    return MlflowError.notFound(
      `${RESOURCE_NAMES[type]} permission (${resourceId}) not found for this grantee.`,
    );
  }
}
