import { MlflowError } from 'src/common/mlflow-error';

/**
 * Experiment ids are decimal strings stored as integers. A non-numeric id is a 400 BAD_REQUEST,
 * the code MLflow's SQL store answers with (from its database driver).
 */
export function parseExperimentId(id: string): number {
  if (!/^\d{1,9}$/.test(id.trim())) {
    throw new MlflowError(
      'BAD_REQUEST',
      `Invalid experiment id '${id}': expected a decimal integer.`,
    );
  }
  return Number(id);
}
