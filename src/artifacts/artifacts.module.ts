import path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Express } from 'express';
import { RegistryModule } from 'src/registry/registry.module';
import { TrackingModule } from 'src/tracking/tracking.module';
import type { ArtifactConfig } from './artifact-config';
import { ArtifactStore } from './artifact.store';
import { ArtifactsProxyController, PROXY_PREFIXES } from './artifacts-proxy.controller';
import { ArtifactsService } from './artifacts.service';
import { LocalArtifactStore } from './local-artifact.store';
import { refuseUndecodablePaths } from './http-io';
import { GetArtifactController, RunArtifactsController } from './run-artifacts.controller';
import { S3ArtifactStore } from './s3-artifact.store';
import { UiArtifactsController } from './ui-artifacts.controller';

export interface ArtifactsSettings {
  dataDir: string;
  artifacts?: ArtifactConfig;
}

/** The store the settings name: S3 when configured, else `<dataDir>/artifacts`. */
export function createArtifactStore(settings: ArtifactsSettings): ArtifactStore {
  const config = settings.artifacts ?? { backend: 'local' };
  return config.backend === 's3'
    ? new S3ArtifactStore(config)
    : new LocalArtifactStore(path.join(settings.dataDir, 'artifacts'));
}

@Module({})
export class ArtifactsModule {
  /**
   * Mounts the path-decoding check on the proxy prefixes while the app is being built, so it
   * runs before the router matches (and decodes) the routes' wildcard parameters.
   */
  constructor(adapterHost: HttpAdapterHost) {
    const app = adapterHost.httpAdapter?.getInstance<Express>();
    app?.use(
      PROXY_PREFIXES.map((prefix) => `/${prefix}`),
      refuseUndecodablePaths,
    );
  }

  static forConfig(settings: ArtifactsSettings): DynamicModule {
    return {
      module: ArtifactsModule,
      imports: [TrackingModule, RegistryModule],
      controllers: [
        ArtifactsProxyController,
        RunArtifactsController,
        GetArtifactController,
        UiArtifactsController,
      ],
      providers: [
        { provide: ArtifactStore, useFactory: () => createArtifactStore(settings) },
        ArtifactsService,
      ],
      exports: [ArtifactStore, ArtifactsService],
    };
  }
}
