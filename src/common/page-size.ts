import { MlflowError } from './mlflow-error';
import type { RequestFields } from './request-fields';

/**
 * `max_results` of a search: its default when absent, a 400 above the search's maximum.
 * A negative value is MLflow's BAD_REQUEST (its database driver rejected it).
 */
export function pageSize(fields: RequestFields, fallback: number, max: number): number {
  const value = fields.int64('max_results') ?? fallback;
  if (value < 0) {
    throw new MlflowError('BAD_REQUEST', `max_results must not be negative, got ${value}.`);
  }
  if (value > max) {
    throw MlflowError.invalid(
      `Invalid value for request parameter max_results. It must be at most ${max}, but got value ${value}`,
    );
  }
  return value;
}
