import { Controller, Delete, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Fields } from 'src/common/fields.decorator';
import { KILN_API_PREFIX } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import type { RequestFields } from 'src/common/request-fields';
import { Access } from './access.decorator';
import type { ApiTokenRecord, GrantRecord } from './auth.entities';
import { AuthService } from './auth.service';
import { GrantsService } from './grants.service';
import { LoginLimiter } from './login-limiter';
import { parsePermission, type ResourceType } from './permissions';
import type { Principal } from './principal';
import { Caller } from './principal.decorator';

function tokenJson(t: ApiTokenRecord) {
  return {
    id: t.id,
    name: t.name,
    read_only: t.readOnly,
    created_at: t.createdAt,
    ...(t.expiresAt !== null ? { expires_at: t.expiresAt } : {}),
    ...(t.lastUsedAt !== null ? { last_used_at: t.lastUsedAt } : {}),
    ...(t.revokedAt !== null ? { revoked_at: t.revokedAt } : {}),
  };
}

function grantJson(g: GrantRecord) {
  return { resource_type: g.resourceType, resource_id: g.resourceId, permission: g.permission };
}

/** The resource of a group grant: `experiment_id` or a registered model `name`. */
function resourceOf(f: RequestFields): { type: ResourceType; id: string } {
  if (f.has('experiment_id')) return { type: 'experiment', id: f.requiredId('experiment_id') };
  if (f.has('name')) return { type: 'registered_model', id: f.requiredString('name') };
  throw MlflowError.invalid("Give 'experiment_id' or a registered model 'name'.");
}

/** Kiln's own auth API: sessions, API tokens, groups and grant listings. */
@ApiTags('auth')
@Controller(KILN_API_PREFIX)
export class KilnAuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly grants: GrantsService,
    private readonly limiter: LoginLimiter,
  ) {}

  @Post('auth/login')
  @HttpCode(200)
  @Access.public()
  @ApiOperation({ summary: 'Exchange a username and password for an access token (JWT)' })
  async login(@Fields() f: RequestFields, @Ip() address: string) {
    const username = f.requiredString('username');
    await this.limiter.check(username, address);
    try {
      const tokens = await this.auth.login(username, f.requiredString('password'));
      await this.limiter.succeeded(username);
      return tokens;
    } catch (err) {
      await this.limiter.failed(username, address);
      throw err;
    }
  }

  @Post('auth/refresh')
  @HttpCode(200)
  @Access.public()
  @ApiOperation({ summary: 'Exchange a refresh token (single use) for a new token pair' })
  refresh(@Fields() f: RequestFields) {
    return this.auth.refresh(f.requiredString('refresh_token'));
  }

  @Get('auth/whoami')
  @Access.authenticated()
  @ApiOperation({ summary: 'The authenticated caller' })
  whoami(@Caller() caller: Principal) {
    return { username: caller.username, is_admin: caller.isAdmin, read_only: caller.readOnly };
  }

  @Post('tokens/create')
  @HttpCode(200)
  @Access.authenticated()
  @ApiOperation({ summary: 'Create an API token for yourself (shown once)' })
  async createToken(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const seconds = f.int64('expires_in_seconds');
    if (seconds !== undefined && seconds <= 0) {
      throw MlflowError.invalid('expires_in_seconds must be positive.');
    }
    const { token, record } = await this.auth.createToken(caller, f.requiredString('name'), {
      readOnly: f.bool('read_only') ?? false,
      expiresInSeconds: seconds,
    });
    return { token, info: tokenJson(record) };
  }

  @Get('tokens/list')
  @Access.authenticated()
  @ApiOperation({ summary: 'Your API tokens (never their secrets)' })
  async listTokens(@Caller() caller: Principal) {
    return { tokens: (await this.auth.listTokens(caller)).map(tokenJson) };
  }

  @Post('tokens/revoke')
  @HttpCode(200)
  @Access.authenticated()
  @ApiOperation({ summary: 'Revoke one of your API tokens; it stops working at once' })
  async revokeToken(@Caller() caller: Principal, @Fields() f: RequestFields) {
    await this.auth.revokeToken(caller, f.requiredString('id'));
    return {};
  }

  @Get('permissions/list')
  @Access.self()
  @ApiOperation({ summary: "A user's grants (or a group's, with `group`)" })
  async listGrants(@Fields() f: RequestFields) {
    const user = await this.auth.user(f.requiredString('username'));
    return { grants: (await this.grants.grantsOfUser(user.id)).map(grantJson) };
  }

  @Post('groups/create')
  @HttpCode(200)
  @Access.admin()
  @ApiOperation({ summary: 'Create a group (a team)' })
  async createGroup(@Fields() f: RequestFields) {
    const group = await this.grants.createGroup(f.requiredString('name'));
    return { group: { name: group.name, members: group.members } };
  }

  @Get('groups/list')
  @Access.authenticated()
  @ApiOperation({ summary: 'Groups and their members' })
  async listGroups() {
    return {
      groups: (await this.grants.listGroups()).map((g) => ({ name: g.name, members: g.members })),
    };
  }

  @Delete('groups/delete')
  @Access.admin()
  @ApiOperation({ summary: 'Delete a group and its grants' })
  async deleteGroup(@Fields() f: RequestFields) {
    await this.grants.deleteGroup(f.requiredString('name'));
    return {};
  }

  @Post('groups/members/add')
  @HttpCode(200)
  @Access.admin()
  @ApiOperation({ summary: 'Add a user to a group' })
  async addMember(@Fields() f: RequestFields) {
    await this.grants.addMember(f.requiredString('group'), f.requiredString('username'));
    return {};
  }

  @Post('groups/members/remove')
  @HttpCode(200)
  @Access.admin()
  @ApiOperation({ summary: 'Remove a user from a group' })
  async removeMember(@Fields() f: RequestFields) {
    await this.grants.removeMember(f.requiredString('group'), f.requiredString('username'));
    return {};
  }

  @Get('groups/permissions/list')
  @Access.admin()
  @ApiOperation({ summary: "A group's grants" })
  async groupGrants(@Fields() f: RequestFields) {
    return { grants: (await this.grants.grantsOfGroup(f.requiredString('group'))).map(grantJson) };
  }

  @Post('groups/permissions/set')
  @HttpCode(200)
  @Access.admin()
  @ApiOperation({ summary: 'Grant a group a permission on an experiment or a registered model' })
  async setGroupGrant(@Fields() f: RequestFields) {
    const { type, id } = resourceOf(f);
    const permission = parsePermission(f.requiredString('permission'));
    await this.grants.set(type, id, { group: f.requiredString('group') }, permission);
    return {};
  }

  @Delete('groups/permissions/delete')
  @Access.admin()
  @ApiOperation({ summary: "Remove a group's permission" })
  async deleteGroupGrant(@Fields() f: RequestFields) {
    const { type, id } = resourceOf(f);
    await this.grants.delete(type, id, { group: f.requiredString('group') });
    return {};
  }
}
