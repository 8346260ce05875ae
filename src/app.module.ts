import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { MlflowExceptionFilter } from './common/mlflow-exception.filter';
import { RouteTable } from './common/route-table';
import { ConfigModule } from './config/config.module';
import type { KilnConfig } from './config/kiln-config';
import { AuthModule } from './auth/auth.module';
import { DbModule } from './db/db.module';
import { HealthController } from './health.controller';
import { RegistryModule } from './registry/registry.module';
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
        ConfigModule.for(config),
        DbModule.forUrl(config.databaseUrl),
        TrackingModule,
        RegistryModule,
        AuthModule,
        ArtifactsModule.forConfig(config),
      ],
      controllers: [HealthController],
      providers: [RouteTable, { provide: APP_FILTER, useClass: MlflowExceptionFilter }],
    };
  }
}
