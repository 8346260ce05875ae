import { Inject, Injectable } from '@nestjs/common';
import { KILN_CONFIG, type KilnConfig } from 'src/config/kiln-config';
import { AuthStore } from './auth.store';
import {
  atLeast,
  level,
  type Permission,
  type ResourceType,
  strongest,
  weakest,
} from './permissions';
import type { Principal } from './principal';

/**
 * Which resources of a type a caller may read, for searches: everything, everything but some
 * ids, or only some ids. Searches apply it in SQL, so pages stay full and nothing leaks.
 */
export type ReadScope =
  { kind: 'all' } | { kind: 'except'; ids: string[] } | { kind: 'only'; ids: string[] };

export const ALL_READABLE: ReadScope = { kind: 'all' };

export function inScope(scope: ReadScope, id: string): boolean {
  if (scope.kind === 'all') return true;
  return scope.kind === 'only' ? scope.ids.includes(id) : !scope.ids.includes(id);
}

/** Permission rules: admins bypass, grants (own or a group's) beat the default, tokens narrow. */
@Injectable()
export class AccessService {
  private readonly defaultPermission: Permission;

  constructor(
    private readonly store: AuthStore,
    @Inject(KILN_CONFIG) config: KilnConfig,
  ) {
    this.defaultPermission = config.auth.defaultPermission;
  }

  private cap(principal: Principal, permission: Permission): Permission {
    return principal.readOnly && atLeast(permission, 'READ') ? 'READ' : permission;
  }

  /** The caller's permission on each resource of the set. */
  async permissions(
    principal: Principal,
    type: ResourceType,
    ids: string[],
  ): Promise<Map<string, Permission>> {
    if (principal.isAdmin) return new Map(ids.map((id) => [id, this.cap(principal, 'MANAGE')]));
    const grants = await this.store.effectiveGrants(principal.userId, type, ids);
    return new Map(
      ids.map((id) => {
        const granted = strongest(grants.get(id) ?? []);
        return [id, this.cap(principal, granted ?? this.defaultPermission)];
      }),
    );
  }

  /** The weakest permission the caller holds over a set of resources. */
  async permissionOnAll(
    principal: Principal,
    type: ResourceType,
    ids: string[],
  ): Promise<Permission> {
    return weakest([...(await this.permissions(principal, type, ids)).values()]);
  }

  async readScope(principal: Principal, type: ResourceType): Promise<ReadScope> {
    if (principal.isAdmin) return ALL_READABLE;
    const grants = await this.store.allEffectiveGrants(principal.userId, type);
    const readable = (id: string) => atLeast(strongest(grants.get(id) ?? [])!, 'READ');
    const ids = [...grants.keys()];
    if (level(this.defaultPermission) >= level('READ')) {
      const hidden = ids.filter((id) => !readable(id));
      return hidden.length === 0 ? ALL_READABLE : { kind: 'except', ids: hidden };
    }
    return { kind: 'only', ids: ids.filter(readable) };
  }
}
