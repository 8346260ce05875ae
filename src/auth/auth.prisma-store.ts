import { Injectable } from '@nestjs/common';
import { PrismaService } from 'src/db/prisma.service';
import type { ApiToken, Grant, RefreshToken, User as UserRow } from 'src/generated/prisma/client';
import type {
  ApiTokenRecord,
  GrantRecord,
  GroupRecord,
  PrincipalType,
  RefreshTokenRecord,
  User,
} from './auth.entities';
import { AuthStore } from './auth.store';
import type { Permission, ResourceType } from './permissions';

const num = (v: bigint | null): number | null => (v === null ? null : Number(v));

const toUser = (u: UserRow): User => ({
  id: u.id,
  username: u.username,
  passwordHash: u.passwordHash,
  isAdmin: u.isAdmin,
  passwordVersion: u.passwordVersion,
});

const toToken = (t: ApiToken): ApiTokenRecord => ({
  id: t.id,
  userId: t.userId,
  name: t.name,
  secretHash: t.secretHash,
  readOnly: t.readOnly,
  createdAt: Number(t.createdAt),
  expiresAt: num(t.expiresAt),
  lastUsedAt: num(t.lastUsedAt),
  revokedAt: num(t.revokedAt),
});

const toRefresh = (t: RefreshToken): RefreshTokenRecord => ({
  id: t.id,
  userId: t.userId,
  secretHash: t.secretHash,
  expiresAt: Number(t.expiresAt),
  revokedAt: num(t.revokedAt),
});

const toGrant = (g: Grant): GrantRecord => ({
  resourceType: g.resourceType as ResourceType,
  resourceId: g.resourceId,
  principalType: g.principalType as PrincipalType,
  principalId: g.principalId,
  permission: g.permission as Permission,
});

const grantKey = (type: ResourceType, resourceId: string, pType: PrincipalType, pId: number) => ({
  resourceType_resourceId_principalType_principalId: {
    resourceType: type,
    resourceId,
    principalType: pType,
    principalId: pId,
  },
});

interface UserSqlRow {
  id: number;
  username: string;
  password_hash: string;
  is_admin: boolean;
  password_version: number;
}

interface TokenSqlRow {
  id: string;
  user_id: number;
  name: string;
  secret_hash: string;
  read_only: boolean;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const SELECT_USER = 'SELECT id, username, password_hash, is_admin, password_version FROM users';

const fromSql = (u: UserSqlRow): User => ({
  id: u.id,
  username: u.username,
  passwordHash: u.password_hash,
  isAdmin: u.is_admin,
  passwordVersion: u.password_version,
});

@Injectable()
export class PrismaAuthStore extends AuthStore {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async createUser(username: string, passwordHash: string, isAdmin: boolean) {
    const row = await this.prisma.user.create({
      data: { username, passwordHash, isAdmin, createdAt: BigInt(Date.now()) },
    });
    return toUser(row);
  }

  // Credential checks run on every request: plain SQL, not Prisma's typed (slower) queries.
  async userByName(username: string) {
    const [row] = await this.prisma.rows<UserSqlRow>(`${SELECT_USER} WHERE username = $1`, [
      username,
    ]);
    return row ? fromSql(row) : null;
  }

  async userById(id: number) {
    const [row] = await this.prisma.rows<UserSqlRow>(`${SELECT_USER} WHERE id = $1`, [id]);
    return row ? fromSql(row) : null;
  }

  async listUsers() {
    return (await this.prisma.user.findMany({ orderBy: { username: 'asc' } })).map(toUser);
  }

  async countAdmins() {
    return this.prisma.user.count({ where: { isAdmin: true } });
  }

  async setPassword(userId: number, passwordHash: string) {
    await this.prisma.user.update({
      where: { id: userId },
      data: { passwordHash, passwordVersion: { increment: 1 } },
    });
  }

  async setAdmin(userId: number, isAdmin: boolean) {
    await this.prisma.user.update({ where: { id: userId }, data: { isAdmin } });
  }

  async deleteUser(userId: number) {
    await this.prisma.$transaction([
      this.prisma.grant.deleteMany({ where: { principalType: 'user', principalId: userId } }),
      this.prisma.user.delete({ where: { id: userId } }),
    ]);
  }

  async createToken(token: ApiTokenRecord) {
    await this.prisma.apiToken.create({
      data: {
        ...token,
        createdAt: BigInt(token.createdAt),
        expiresAt: token.expiresAt === null ? null : BigInt(token.expiresAt),
        lastUsedAt: null,
        revokedAt: null,
      },
    });
  }

  async tokenById(id: string) {
    const [row] = await this.prisma.rows<TokenSqlRow>(
      `SELECT id, user_id, name, secret_hash, read_only, created_at, expires_at, last_used_at,
              revoked_at FROM api_tokens WHERE id = $1`,
      [id],
    );
    if (!row) return null;
    const num = (v: string | null) => (v === null ? null : Number(v));
    return {
      id: row.id,
      userId: row.user_id,
      name: row.name,
      secretHash: row.secret_hash,
      readOnly: row.read_only,
      createdAt: Number(row.created_at),
      expiresAt: num(row.expires_at),
      lastUsedAt: num(row.last_used_at),
      revokedAt: num(row.revoked_at),
    };
  }

  async listTokens(userId: number) {
    const rows = await this.prisma.apiToken.findMany({
      where: { userId },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toToken);
  }

  async revokeToken(id: string) {
    await this.prisma.apiToken.update({ where: { id }, data: { revokedAt: BigInt(Date.now()) } });
  }

  async touchToken(id: string, at: number) {
    await this.prisma.apiToken.update({ where: { id }, data: { lastUsedAt: BigInt(at) } });
  }

  async createRefreshToken(token: RefreshTokenRecord) {
    await this.prisma.refreshToken.create({
      data: { ...token, expiresAt: BigInt(token.expiresAt), revokedAt: null },
    });
  }

  async consumeRefreshToken(id: string) {
    // Only one caller can flip revoked_at from NULL: a refresh token is good for one refresh.
    const { count } = await this.prisma.refreshToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: BigInt(Date.now()) },
    });
    if (count === 0) return null;
    const row = await this.prisma.refreshToken.findUnique({ where: { id } });
    return row ? toRefresh(row) : null;
  }

  private async groupRecord(id: number): Promise<GroupRecord | null> {
    const row = await this.prisma.group.findUnique({
      where: { id },
      include: { members: { include: { user: true } } },
    });
    return row
      ? { id: row.id, name: row.name, members: row.members.map((m) => m.user.username) }
      : null;
  }

  async createGroup(name: string) {
    const row = await this.prisma.group.create({ data: { name } });
    return { id: row.id, name: row.name, members: [] };
  }

  async groupByName(name: string) {
    const row = await this.prisma.group.findUnique({ where: { name } });
    return row ? this.groupRecord(row.id) : null;
  }

  async listGroups() {
    const rows = await this.prisma.group.findMany({
      orderBy: { name: 'asc' },
      include: { members: { include: { user: true } } },
    });
    return rows.map((g) => ({
      id: g.id,
      name: g.name,
      members: g.members.map((m) => m.user.username),
    }));
  }

  async deleteGroup(id: number) {
    await this.prisma.$transaction([
      this.prisma.grant.deleteMany({ where: { principalType: 'group', principalId: id } }),
      this.prisma.group.delete({ where: { id } }),
    ]);
  }

  async addMember(groupId: number, userId: number) {
    await this.prisma.groupMember.upsert({
      where: { groupId_userId: { groupId, userId } },
      create: { groupId, userId },
      update: {},
    });
  }

  async removeMember(groupId: number, userId: number) {
    const { count } = await this.prisma.groupMember.deleteMany({ where: { groupId, userId } });
    return count > 0;
  }

  async grant(record: GrantRecord) {
    const { count } = await this.prisma.grant.createMany({ data: [record], skipDuplicates: true });
    return count === 1 ? 'created' : 'exists';
  }

  async updateGrant(record: GrantRecord) {
    const { count } = await this.prisma.grant.updateMany({
      where: {
        resourceType: record.resourceType,
        resourceId: record.resourceId,
        principalType: record.principalType,
        principalId: record.principalId,
      },
      data: { permission: record.permission },
    });
    return count > 0;
  }

  async getGrant(type: ResourceType, resourceId: string, pType: PrincipalType, pId: number) {
    const row = await this.prisma.grant.findUnique({
      where: grantKey(type, resourceId, pType, pId),
    });
    return row ? toGrant(row) : null;
  }

  async deleteGrant(type: ResourceType, resourceId: string, pType: PrincipalType, pId: number) {
    const { count } = await this.prisma.grant.deleteMany({
      where: { resourceType: type, resourceId, principalType: pType, principalId: pId },
    });
    return count > 0;
  }

  async deleteResourceGrants(type: ResourceType, resourceId: string) {
    await this.prisma.grant.deleteMany({ where: { resourceType: type, resourceId } });
  }

  async renameResourceGrants(type: ResourceType, from: string, to: string) {
    await this.prisma.grant.updateMany({
      where: { resourceType: type, resourceId: from },
      data: { resourceId: to },
    });
  }

  async grantsOf(principalType: PrincipalType, principalId: number) {
    const rows = await this.prisma.grant.findMany({
      where: { principalType, principalId },
      orderBy: [{ resourceType: 'asc' }, { resourceId: 'asc' }],
    });
    return rows.map(toGrant);
  }

  async effectiveGrants(userId: number, type: ResourceType, resourceIds: string[]) {
    return this.collect(userId, type, resourceIds);
  }

  async allEffectiveGrants(userId: number, type: ResourceType) {
    return this.collect(userId, type, null);
  }

  /** One query: the user's own grants and those of every group they belong to. */
  private async collect(userId: number, type: ResourceType, resourceIds: string[] | null) {
    const rows = await this.prisma.rows<{ resource_id: string; permission: Permission }>(
      `SELECT g.resource_id, g.permission FROM grants g
        WHERE g.resource_type = $1
          AND ($2::text[] IS NULL OR g.resource_id = ANY($2::text[]))
          AND ((g.principal_type = 'user' AND g.principal_id = $3)
            OR (g.principal_type = 'group' AND g.principal_id IN
                 (SELECT group_id FROM group_members WHERE user_id = $3)))`,
      [type, resourceIds, userId],
    );
    const byResource = new Map<string, Permission[]>();
    for (const row of rows) {
      byResource.set(row.resource_id, [...(byResource.get(row.resource_id) ?? []), row.permission]);
    }
    return byResource;
  }
}
