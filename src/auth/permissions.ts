import { MlflowError } from 'src/common/mlflow-error';

/** MLflow's permission names, weakest first (reference §7.3). */
export const PERMISSIONS = ['NO_PERMISSIONS', 'READ', 'EDIT', 'MANAGE'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const level = (p: Permission): number => PERMISSIONS.indexOf(p);

export function atLeast(have: Permission, need: Permission): boolean {
  return level(have) >= level(need);
}

export function strongest(permissions: Permission[]): Permission | undefined {
  return permissions.reduce<Permission | undefined>(
    (best, p) => (best === undefined || level(p) > level(best) ? p : best),
    undefined,
  );
}

export function weakest(permissions: Permission[]): Permission {
  return permissions.reduce((worst, p) => (level(p) < level(worst) ? p : worst), 'MANAGE');
}

export function parsePermission(value: string): Permission {
  const upper = value.toUpperCase();
  if ((PERMISSIONS as readonly string[]).includes(upper)) return upper as Permission;
  throw MlflowError.invalid(
    `Invalid permission '${value}'. Valid permissions are: (${PERMISSIONS.join(', ')})`,
  );
}

export type ResourceType = 'experiment' | 'registered_model';
