import { randomUUID } from 'node:crypto';
import { HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { SearchSyntaxError } from 'src/search/search-error';
import { MlflowError, type ErrorCode } from './mlflow-error';

const logger = new Logger('Errors');

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'ENDPOINT_NOT_FOUND',
  413: 'INVALID_PARAMETER_VALUE',
  429: 'RESOURCE_EXHAUSTED',
};

/** Turns anything thrown while serving a request into MLflow's error shape and status. */
export function toErrorBody(err: unknown): { status: number; error_code: string; message: string } {
  if (err instanceof MlflowError) {
    return { status: err.status, error_code: err.errorCode, message: err.message };
  }
  if (err instanceof SearchSyntaxError) {
    return { status: 400, error_code: 'INVALID_PARAMETER_VALUE', message: err.message };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status < 500) {
      return { status, error_code: STATUS_CODES[status] ?? 'BAD_REQUEST', message: err.message };
    }
  }
  // Body-parser errors carry their status (413 too large, 400 bad encoding).
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = (err as Error).message;
    // A too-large body is a permanent client error; 413 would not be retried, but keep MLflow's 400.
    return { status: 400, error_code: 'INVALID_PARAMETER_VALUE', message };
  }
  const id = randomUUID();
  logger.error({ err, errorId: id }, 'unhandled error');
  return { status: 500, error_code: 'INTERNAL_ERROR', message: `Internal error (id ${id})` };
}

export function sendError(res: Response, err: unknown): void {
  const { status, ...body } = toErrorBody(err);
  res.status(status).json(body);
}
