import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { MlflowExceptionFilter } from './common/mlflow-exception.filter';
import { RouteTable } from './common/route-table';
import { KILN_CONFIG, type KilnConfig } from './config/kiln-config';
import { DbModule } from './db/db.module';
import { HealthController } from './health.controller';
import { TrackingModule } from './tracking/tracking.module';

@Module({})
export class AppModule {
  static for(config: KilnConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // One line per request with its duration; never headers (they carry credentials).
            serializers: {
              req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        DbModule.forUrl(config.databaseUrl),
        TrackingModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: KILN_CONFIG, useValue: config },
        RouteTable,
        { provide: APP_FILTER, useClass: MlflowExceptionFilter },
      ],
    };
  }
}
