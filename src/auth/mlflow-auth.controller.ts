import { Delete, Get, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController, Ok } from 'src/common/mlflow-controller';
import { missingParameter, type RequestFields } from 'src/common/request-fields';
import { Access } from './access.decorator';
import type { GrantRecord, User } from './auth.entities';
import { AuthService } from './auth.service';
import { GrantsService } from './grants.service';
import { parsePermission } from './permissions';

function userJson(user: User, grants: GrantRecord[]) {
  const of = (type: GrantRecord['resourceType']) => grants.filter((g) => g.resourceType === type);
  return {
    id: user.id,
    username: user.username,
    is_admin: user.isAdmin,
    experiment_permissions: of('experiment').map((g) => ({
      experiment_id: g.resourceId,
      user_id: user.id,
      permission: g.permission,
    })),
    registered_model_permissions: of('registered_model').map((g) => ({
      name: g.resourceId,
      user_id: user.id,
      permission: g.permission,
    })),
  };
}

/** The boolean `is_admin` arrives as JSON true/false or as a query string. */
function requiredBool(f: RequestFields, name: string): boolean {
  const value = f.bool(name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

/** MLflow's auth REST API (reference §7.5), so existing tooling works against Kiln. */
@MlflowController('auth (MLflow)')
export class MlflowAuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly grants: GrantsService,
  ) {}

  @Post('users/create')
  @Ok()
  @Access.admin()
  @ApiOperation({ summary: 'Create a user' })
  async createUser(@Fields() f: RequestFields) {
    const user = await this.auth.createUser(
      f.requiredString('username'),
      f.requiredString('password'),
    );
    return { user: userJson(user, []) };
  }

  @Get('users/get')
  @Access.self()
  @ApiOperation({ summary: 'Get a user with their permissions' })
  async getUser(@Fields() f: RequestFields) {
    const user = await this.auth.user(f.requiredString('username'));
    return { user: userJson(user, await this.grants.grantsOfUser(user.id)) };
  }

  @Get('users/list')
  @Access.admin()
  @ApiOperation({ summary: 'List users' })
  async listUsers() {
    const users = await this.auth.listUsers();
    return { users: users.map((u) => ({ id: u.id, username: u.username, is_admin: u.isAdmin })) };
  }

  @Patch('users/update-password')
  @Access.self()
  @ApiOperation({ summary: "Change a user's password" })
  async updatePassword(@Fields() f: RequestFields) {
    await this.auth.updatePassword(f.requiredString('username'), f.requiredString('password'));
    return {};
  }

  @Patch('users/update-admin')
  @Access.admin()
  @ApiOperation({ summary: 'Make a user admin or not' })
  async updateAdmin(@Fields() f: RequestFields) {
    await this.auth.updateAdmin(f.requiredString('username'), requiredBool(f, 'is_admin'));
    return {};
  }

  @Delete('users/delete')
  @Access.admin()
  @ApiOperation({ summary: 'Delete a user' })
  async deleteUser(@Fields() f: RequestFields) {
    await this.auth.deleteUser(f.requiredString('username'));
    return {};
  }

  @Post('experiments/permissions/create')
  @Ok()
  @Access.experiment('MANAGE')
  @ApiOperation({ summary: 'Grant a user a permission on an experiment' })
  async createExperimentPermission(@Fields() f: RequestFields) {
    const grant = await this.grants.create(
      'experiment',
      f.requiredId('experiment_id'),
      { user: f.requiredString('username') },
      parsePermission(f.requiredString('permission')),
    );
    return { experiment_permission: experimentPermissionJson(grant) };
  }

  @Get('experiments/permissions/get')
  @Access.experiment('MANAGE')
  @ApiOperation({ summary: "Get a user's permission on an experiment" })
  async getExperimentPermission(@Fields() f: RequestFields) {
    const grant = await this.grants.get('experiment', f.requiredId('experiment_id'), {
      user: f.requiredString('username'),
    });
    return { experiment_permission: experimentPermissionJson(grant) };
  }

  @Patch('experiments/permissions/update')
  @Access.experiment('MANAGE')
  @ApiOperation({ summary: "Change a user's permission on an experiment" })
  async updateExperimentPermission(@Fields() f: RequestFields) {
    await this.grants.update(
      'experiment',
      f.requiredId('experiment_id'),
      { user: f.requiredString('username') },
      parsePermission(f.requiredString('permission')),
    );
    return {};
  }

  @Delete('experiments/permissions/delete')
  @Access.experiment('MANAGE')
  @ApiOperation({ summary: "Remove a user's permission on an experiment" })
  async deleteExperimentPermission(@Fields() f: RequestFields) {
    await this.grants.delete('experiment', f.requiredId('experiment_id'), {
      user: f.requiredString('username'),
    });
    return {};
  }

  @Post('registered-models/permissions/create')
  @Ok()
  @Access.model('MANAGE')
  @ApiOperation({ summary: 'Grant a user a permission on a registered model' })
  async createModelPermission(@Fields() f: RequestFields) {
    const grant = await this.grants.create(
      'registered_model',
      f.requiredString('name'),
      { user: f.requiredString('username') },
      parsePermission(f.requiredString('permission')),
    );
    return { registered_model_permission: modelPermissionJson(grant) };
  }

  @Get('registered-models/permissions/get')
  @Access.model('MANAGE')
  @ApiOperation({ summary: "Get a user's permission on a registered model" })
  async getModelPermission(@Fields() f: RequestFields) {
    const grant = await this.grants.get('registered_model', f.requiredString('name'), {
      user: f.requiredString('username'),
    });
    return { registered_model_permission: modelPermissionJson(grant) };
  }

  @Patch('registered-models/permissions/update')
  @Access.model('MANAGE')
  @ApiOperation({ summary: "Change a user's permission on a registered model" })
  async updateModelPermission(@Fields() f: RequestFields) {
    await this.grants.update(
      'registered_model',
      f.requiredString('name'),
      { user: f.requiredString('username') },
      parsePermission(f.requiredString('permission')),
    );
    return {};
  }

  @Delete('registered-models/permissions/delete')
  @Access.model('MANAGE')
  @ApiOperation({ summary: "Remove a user's permission on a registered model" })
  async deleteModelPermission(@Fields() f: RequestFields) {
    await this.grants.delete('registered_model', f.requiredString('name'), {
      user: f.requiredString('username'),
    });
    return {};
  }
}

function experimentPermissionJson(g: GrantRecord) {
  return { experiment_id: g.resourceId, user_id: g.principalId, permission: g.permission };
}

function modelPermissionJson(g: GrantRecord) {
  return { name: g.resourceId, user_id: g.principalId, permission: g.permission };
}
