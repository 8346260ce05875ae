import type { NextFunction, Request, Response } from 'express';
import JSON5 from 'json5';
import { MlflowError } from './mlflow-error';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Decodes an MLflow API body. Strict JSON is parsed with JSON.parse; a body that is not strict
 * JSON only because of bare NaN/Infinity tokens (Python's json.dumps writes them) is read with
 * JSON5, so those values are kept rather than lost. A body that is a JSON string holding JSON is
 * decoded twice, as MLflow does for old clients.
 */
export function decodeJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON5.parse(text);
    } catch (err) {
      throw MlflowError.invalid(`Malformed JSON request body: ${(err as Error).message}`);
    }
  }
  if (typeof value === 'string') return decodeJsonBody(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw MlflowError.invalid('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/**
 * MLflow's content-type rule: POST and PUT must declare application/json; PATCH and DELETE
 * carry JSON bodies without the check.
 */
export function checkContentType(req: Request): void {
  if (req.method !== 'POST' && req.method !== 'PUT') return;
  const type = req.headers['content-type'];
  if (!type) throw MlflowError.invalid('Bad Request. Content-Type header is missing.');
  if (!JSON_TYPE.test(type)) {
    throw MlflowError.invalid("Bad Request. Content-Type must be one of ['application/json'].");
  }
}

/** Express middleware for the MLflow JSON APIs; runs after a raw text body parser. */
export function mlflowJsonBody(req: Request, _res: Response, next: NextFunction): void {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      checkContentType(req);
      req.body = decodeJsonBody(typeof req.body === 'string' ? req.body : '');
    }
    next();
  } catch (err) {
    next(err);
  }
}
