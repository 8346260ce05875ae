import { type ArgumentsHost, Catch, type ExceptionFilter, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MlflowError } from './mlflow-error';
import { sendError } from './error-response';
import { RouteTable } from './route-table';

/**
 * The one place errors become responses. An unknown path is a JSON 404 (MLflow serves an HTML
 * page); a known path with the wrong verb is a 405, as in MLflow.
 */
@Catch()
export class MlflowExceptionFilter implements ExceptionFilter {
  constructor(private readonly routes: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const allowed = exception instanceof NotFoundException ? this.routes.methodsFor(req.path) : [];
    if (exception instanceof NotFoundException && !allowed.includes(req.method)) {
      if (allowed.length > 0) {
        res.setHeader('Allow', allowed.join(', '));
        res.status(405).json({
          error_code: 'BAD_REQUEST',
          message: `Method ${req.method} is not allowed for ${req.path}; use ${allowed.join(' or ')}.`,
        });
        return;
      }
      sendError(
        res,
        new MlflowError('ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${req.path}`),
      );
      return;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, exception);
  }
}
