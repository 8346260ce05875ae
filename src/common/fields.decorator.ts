import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { RequestFields } from './request-fields';

/**
 * A request's MLflow fields: from the query string of a GET that has one, else from the JSON
 * body (MLflow's server decodes requests the same way).
 */
export function requestFields(req: Request): RequestFields {
  const query = req.query as Record<string, unknown>;
  const body: unknown = req.body;
  // A decoded JSON body; routes whose body is a file (or absent) take their fields from the query.
  const isObject =
    typeof body === 'object' && body !== null && !Array.isArray(body) && !Buffer.isBuffer(body);
  if ((req.method === 'GET' || !isObject) && Object.keys(query).length > 0) {
    return RequestFields.fromQuery(query);
  }
  return new RequestFields(isObject ? (body as Record<string, unknown>) : {});
}

/** Injects the request's MLflow fields into a controller method. */
export const Fields = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestFields =>
  requestFields(ctx.switchToHttp().getRequest<Request>()),
);
