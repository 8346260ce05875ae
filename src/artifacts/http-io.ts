import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { sendError } from 'src/common/error-response';
import { checkContentType, decodeJsonBody } from 'src/common/json-body';
import { MlflowError } from 'src/common/mlflow-error';
import { RequestFields } from 'src/common/request-fields';
import { invalidPath } from './artifact-path';
import type { FileDownload } from './artifacts.service';

const logger = new Logger('Artifacts');

/** Multipart requests are small JSON (a complete lists up to 10,000 parts with their URLs). */
const MAX_JSON_BODY = 16 * 1024 * 1024;

const PROXY_PATH =
  /^\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\/(?:artifacts|mpu\/(?:create|complete|abort)|mpd\/presigned|presigned)\/(.*)$/i;

/**
 * The artifact path of a proxy request exactly as sent (still percent-encoded), taken from the
 * raw URL rather than from the router's decoded parameters, so every decoding happens once, in
 * artifact-path.ts, where the result is checked.
 */
export function rawProxyPath(req: Request): string {
  const pathname = req.originalUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split('?')[0];
  const match = PROXY_PATH.exec(pathname);
  if (!match) throw invalidPath();
  return match[1];
}

/**
 * Express middleware for the proxy prefixes, mounted ahead of the routes: a path whose
 * percent-escapes do not decode (overlong UTF-8 such as `%c0%ae`, `%u002e`) gets the same
 * 400 "Invalid path" as any other hostile path, instead of the router's own decoding error.
 */
export function refuseUndecodablePaths(req: Request, res: Response, next: NextFunction): void {
  try {
    decodeURIComponent(req.originalUrl.split('?')[0]);
  } catch {
    if (req.method === 'PUT' && !req.complete) res.setHeader('Connection', 'close');
    sendError(res, invalidPath());
    return;
  }
  next();
}

/** The declared body length, or undefined for a chunked body. */
export function contentLength(req: Request): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  if (!/^\d+$/.test(header)) throw MlflowError.invalid(`Invalid Content-Length '${header}'.`);
  return Number(header);
}

/**
 * The JSON body of a multipart request. The MLflow JSON parser is mounted on the tracking
 * prefixes only, so the artifact routes read their (small, bounded) JSON bodies here.
 */
export async function readJsonFields(req: Request): Promise<RequestFields> {
  checkContentType(req);
  const declared = contentLength(req);
  if (declared !== undefined && declared > MAX_JSON_BODY) throw bodyTooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_JSON_BODY) throw bodyTooLarge();
    chunks.push(chunk);
  }
  return new RequestFields(decodeJsonBody(Buffer.concat(chunks).toString('utf8')));
}

function bodyTooLarge(): MlflowError {
  return MlflowError.invalid(`The request body is larger than ${MAX_JSON_BODY} bytes.`);
}

/**
 * Streams a file as an attachment (reference §6.2 headers). A failure after the headers went
 * out cuts the connection, so the client sees a short body rather than a wrong one.
 */
export async function sendFile(req: Request, res: Response, file: FileDownload): Promise<void> {
  res.status(200);
  res.attachment(file.fileName);
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.method === 'HEAD') {
    file.stream.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(file.stream, res);
  } catch (err) {
    file.stream.destroy();
    res.destroy();
    if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.warn(`download of ${file.fileName} failed midway: ${String(err)}`);
    }
  }
}
