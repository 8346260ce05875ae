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
  // Decoded UTF-8 holds no lone surrogate; only a \uD8xx–\uDFxx escape can make one, so the
  // walk over every string runs only for bodies that have such an escape.
  if (SURROGATE_ESCAPE.test(text)) assertStorableText(value);
  return value as Record<string, unknown>;
}

// Half of a UTF-16 surrogate pair: JSON can carry one, PostgreSQL text cannot. (A NUL cannot be
// stored either; the field's own check, such as an artifact path's, or the database refuses it
// as a 400.)
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** Refuses request text that no column could store, naming where it is. */
export function assertStorableText(value: unknown, where = ''): void {
  if (typeof value === 'string') {
    if (UNPAIRED_SURROGATE.test(value)) {
      throw MlflowError.invalid(
        `Invalid value${where ? ` for '${where}'` : ''}: text may not contain unpaired UTF-16 ` +
          'surrogates.',
      );
    }
  } else if (Array.isArray(value)) {
    for (const item of value) assertStorableText(item, where);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      assertStorableText(key, where);
      assertStorableText(item, where ? `${where}.${key}` : key);
    }
  }
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
