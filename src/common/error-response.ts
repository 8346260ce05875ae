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
  const database = databaseErrorBody(err);
  if (database) return database;
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

/**
 * The SQLSTATE of a database error: pg's own errors carry it as `code`, Prisma's driver-adapter
 * errors as `cause.code` or `meta.driverAdapterError.cause.originalCode`.
 */
function sqlState(err: unknown): string | undefined {
  const e = err as {
    code?: unknown;
    cause?: { code?: unknown };
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
  };
  const candidates = [e?.code, e?.cause?.code, e?.meta?.driverAdapterError?.cause?.originalCode];
  return candidates.find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
}

/**
 * Input the checks before a write let through and the database refused: a client error, never
 * a 500. Data exceptions (class 22: a NUL character, a value too long or out of range) and
 * program limits (class 54: a key too long to index) are bad values; a unique violation or a
 * missing row is what two concurrent requests for the same thing leave to the loser.
 */
function databaseErrorBody(
  err: unknown,
): { status: number; error_code: ErrorCode; message: string } | undefined {
  const state = sqlState(err);
  const prismaCode = (err as { code?: unknown })?.code;
  if (state?.startsWith('22') || state?.startsWith('54') || prismaCode === 'P2000') {
    const detail = (err as { cause?: { message?: unknown } }).cause?.message;
    const message = typeof detail === 'string' ? detail : (err as Error).message.split('\n').pop();
    return {
      status: 400,
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Invalid value: ${message}`,
    };
  }
  if (state === '23505' || prismaCode === 'P2002') {
    return {
      status: 400,
      error_code: 'RESOURCE_ALREADY_EXISTS',
      message: 'The resource already exists (it was created at the same time by another request).',
    };
  }
  if (prismaCode === 'P2025') {
    return {
      status: 404,
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'The resource does not exist (it was removed at the same time by another request).',
    };
  }
  return undefined;
}

export function sendError(res: Response, err: unknown): void {
  const { status, ...body } = toErrorBody(err);
  res.status(status).json(body);
}
