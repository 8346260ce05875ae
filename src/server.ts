import { Logger as NestLogger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { sendError } from './common/error-response';
import { mlflowJsonBody } from './common/json-body';
import { KILN_API_PREFIX, MLFLOW_PREFIXES } from './common/mlflow-controller';
import { RouteTable } from './common/route-table';
import {
  UPLOAD_ARTIFACT_MAX_BYTES,
  UPLOAD_ARTIFACT_ROUTE,
} from './artifacts/ui-artifacts.controller';
import type { KilnConfig } from './config/kiln-config';
import { startEmbeddedPostgres } from './db/embedded-postgres';
import { migrate } from './db/migrations';
import { KILN_VERSION } from './version';

export interface RunningServer {
  app: INestApplication;
  url: string;
  databaseUrl: string;
  close(): Promise<void>;
}

/** Reads MLflow JSON bodies as text first, so strict and lenient JSON are decoded in one place. */
function mlflowBodyParser(limit: number) {
  const text = express.text({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction) => {
    if (Buffer.isBuffer(req.body)) return next();
    text(req, res, (err?: unknown) => {
      if (err) return sendError(res, err);
      mlflowJsonBody(req, res, (parseErr?: unknown) =>
        parseErr ? sendError(res, parseErr) : next(),
      );
    });
  };
}

/**
 * Requests Node's HTTP parser refuses before Kiln sees them (headers or URL over 16 KB, a bad
 * header character) still get an answer in MLflow's error shape, not a bare status line.
 */
function answerMalformedRequest(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify({
    error_code: tooLarge ? 'INVALID_PARAMETER_VALUE' : 'BAD_REQUEST',
    message: tooLarge
      ? 'The request line and headers exceed 16 KB; send long values in a JSON body.'
      : 'Malformed HTTP request.',
  });
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function mountDocs(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Kiln')
      .setDescription(
        'MLflow-compatible tracking server. Routes keep MLflow\u2019s paths and fields.',
      )
      .setVersion(KILN_VERSION)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/** Boots Kiln: database (embedded when no URL), migrations, HTTP app; returns once listening. */
export async function startServer(config: KilnConfig): Promise<RunningServer> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort);
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  await migrate(databaseUrl);

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.for({ ...config, databaseUrl }),
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  // The UI's upload-artifact body is the file itself; the JSON parser below leaves it alone.
  const raw = express.raw({ type: () => true, limit: UPLOAD_ARTIFACT_MAX_BYTES });
  app.use(`/${UPLOAD_ARTIFACT_ROUTE}`, (req: Request, res: Response, next: NextFunction) =>
    raw(req, res, (err?: unknown) => {
      if (err) return sendError(res, err);
      // No body at all is still a (empty) file body: the guard and the route then both read the
      // run from the query, never from a JSON body.
      if (!Buffer.isBuffer(req.body)) req.body = Buffer.alloc(0);
      next();
    }),
  );
  for (const prefix of [...MLFLOW_PREFIXES, KILN_API_PREFIX]) {
    app.use(`/${prefix}`, mlflowBodyParser(config.maxBodyBytes));
  }
  mountDocs(app);
  await app.init();
  app.get(RouteTable).load((app.getHttpAdapter().getInstance() as express.Express).router);
  (app.getHttpServer() as Server).on('clientError', answerMalformedRequest);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${config.host}:${address.port}`;
  new NestLogger('Kiln').log(`Kiln ${KILN_VERSION} listening on ${url}`);
  return {
    app,
    url,
    databaseUrl,
    close: async () => {
      await app.close();
      await embedded?.stop();
    },
  };
}
