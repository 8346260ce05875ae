import { applyDecorators, Controller, HttpCode } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

/** MLflow serves every tracking and registry route under both of these prefixes. */
export const MLFLOW_PREFIXES = ['api/2.0/mlflow', 'ajax-api/2.0/mlflow'];

/** Kiln's own JSON API (auth, lineage, audit), decoded like MLflow's. */
export const KILN_API_PREFIX = 'api/2.0/kiln';

/** A controller for MLflow's REST routes: both prefixes, and 200 for every success (POST too). */
export function MlflowController(tag: string): ClassDecorator {
  return applyDecorators(Controller(MLFLOW_PREFIXES), ApiTags(tag));
}

/** MLflow answers 200 to every successful call, including creates. */
export const Ok = (): MethodDecorator => HttpCode(200);
