import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { RequestFields } from './request-fields';

/**
 * A request's MLflow fields: from the query string of a GET that has one, else from the JSON
 * body (MLflow's server decodes requests the same way).
 */
export function requestFields(req: Request): RequestFields {
  const query = req.query as Record<string, unknown>;
  if (req.method === 'GET' && Object.keys(query).length > 0) return RequestFields.fromQuery(query);
  const body: unknown = req.body;
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  return new RequestFields(isObject ? (body as Record<string, unknown>) : {});
}

/** Injects the request's MLflow fields into a controller method. */
export const Fields = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestFields =>
  requestFields(ctx.switchToHttp().getRequest<Request>()),
);
