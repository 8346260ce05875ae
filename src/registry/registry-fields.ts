import { type AccessService, inScope } from 'src/auth/access.service';
import type { Principal } from 'src/auth/principal';
import { MlflowError } from 'src/common/mlflow-error';
import { pageSize } from 'src/common/page-size';
import type { RequestFields } from 'src/common/request-fields';
import type { Actor } from './registry.entities';

/** `max_results` of a registry search: a positive integer up to `max`, `fallback` when absent. */
export function registryPageSize(f: RequestFields, fallback: number, max: number): number {
  const value = f.int64('max_results');
  if (value !== undefined && value < 1) {
    throw MlflowError.invalid(
      `Invalid value for max_results. It must be a positive integer, but got ${value}`,
    );
  }
  return pageSize(f, fallback, max);
}

/** A version number field: MLflow clients send a string; a JSON integer is accepted too. */
export function versionField(f: RequestFields, name = 'version'): string {
  return f.requiredId(name);
}

/** The caller and the optional `comment` (a Kiln extension MLflow clients never send). */
export function actorOf(userId: string, f: RequestFields): Actor {
  const comment = f.string('comment');
  return comment ? { userId, comment } : { userId };
}

/** A search response page: the list and the token, each left out when empty. */
export function pageJson<T>(
  listName: string,
  page: { items: T[]; nextPageToken?: string },
  map: (item: T) => unknown,
): Record<string, unknown> {
  return {
    ...(page.items.length > 0 ? { [listName]: page.items.map(map) } : {}),
    ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
  };
}

/** Which registered models the caller may see in search results; undefined when all. */
export async function visibleModels(
  access: AccessService,
  caller: Principal,
): Promise<((modelName: string) => boolean) | undefined> {
  const scope = await access.readScope(caller, 'registered_model');
  return scope.kind === 'all' ? undefined : (name) => inScope(scope, name);
}
