import { MlflowError } from 'src/common/mlflow-error';
import { ModelNameTaken, ModelNotFound, VersionNotFound } from './registry.store';
import { modelNotFound, versionNotFound } from './registry.validation';

/** Maps the store's domain errors to MLflow's answers; anything else passes through. */
export async function storeCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ModelNotFound) throw modelNotFound(err.modelName);
    if (err instanceof VersionNotFound) throw versionNotFound(err.modelName, err.version);
    if (err instanceof ModelNameTaken) {
      throw MlflowError.alreadyExists(`Registered Model (name=${err.modelName}) already exists.`);
    }
    throw err;
  }
}
