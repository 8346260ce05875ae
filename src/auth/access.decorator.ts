import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiResponse } from '@nestjs/swagger';
import type { Permission, ResourceType } from './permissions';

/** Where a route finds the ids of the resources it touches, in the request's MLflow fields. */
export type IdSource =
  | { from: 'experiment'; field: string }
  | { from: 'experimentName'; field: string }
  | { from: 'run'; field: string }
  | { from: 'runs'; field: string }
  | { from: 'loggedModel'; param: string }
  | { from: 'artifactPath'; param: string }
  | { from: 'model'; field: string };

export type AccessRule =
  | { kind: 'public' }
  /** Any signed-in user; `write` keeps read-only tokens out. */
  | { kind: 'authenticated'; write: boolean }
  | { kind: 'admin' }
  /** The user named in `field`, or an admin. */
  | { kind: 'self'; field: string }
  | { kind: 'resource'; type: ResourceType; need: Permission; ids: IdSource };

export const ACCESS_RULE = 'kiln:access';

function describe(rule: AccessRule): string {
  switch (rule.kind) {
    case 'public':
      return 'public: no credentials needed';
    case 'authenticated':
      return rule.write ? 'any signed-in user (not a read-only token)' : 'any signed-in user';
    case 'admin':
      return 'admins only';
    case 'self':
      return `the user named in '${rule.field}', or an admin`;
    case 'resource':
      return `${rule.need} on the ${rule.type.replace('_', ' ')}`;
  }
}

function declare(rule: AccessRule): MethodDecorator {
  const decorators = [
    SetMetadata(ACCESS_RULE, rule),
    ApiExtension('x-kiln-permission', describe(rule)),
  ];
  if (rule.kind !== 'public') {
    decorators.push(
      ApiBearerAuth(),
      ApiResponse({ status: 401, description: 'No or invalid credentials' }),
      ApiResponse({ status: 403, description: `Needs ${describe(rule)}` }),
    );
  }
  return applyDecorators(...decorators);
}

const onExperiment = (need: Permission, ids: IdSource) =>
  declare({ kind: 'resource', type: 'experiment', need, ids });

/**
 * Declares who may call a route. Every route declares one (the permission-matrix test enforces
 * it); the global guard enforces it, and OpenAPI documents it.
 */
export const Access = {
  public: () => declare({ kind: 'public' }),
  authenticated: (opts: { write: boolean } = { write: false }) =>
    declare({ kind: 'authenticated', write: opts.write }),
  admin: () => declare({ kind: 'admin' }),
  self: (field = 'username') => declare({ kind: 'self', field }),
  experiment: (need: Permission, field = 'experiment_id') =>
    onExperiment(need, { from: 'experiment', field }),
  experimentByName: (need: Permission, field = 'experiment_name') =>
    onExperiment(need, { from: 'experimentName', field }),
  run: (need: Permission, field = 'run_id') => onExperiment(need, { from: 'run', field }),
  runs: (need: Permission, field: string) => onExperiment(need, { from: 'runs', field }),
  loggedModel: (need: Permission, param = 'model_id') =>
    onExperiment(need, { from: 'loggedModel', param }),
  artifactPath: (need: Permission, param = 'path') =>
    onExperiment(need, { from: 'artifactPath', param }),
  model: (need: Permission, field = 'name') =>
    declare({ kind: 'resource', type: 'registered_model', need, ids: { from: 'model', field } }),
};
