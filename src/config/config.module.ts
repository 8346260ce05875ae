import { type DynamicModule, Global, Module } from '@nestjs/common';
import { KILN_CONFIG, type KilnConfig } from './kiln-config';

/** Makes the boot-time config injectable everywhere as KILN_CONFIG. */
@Global()
@Module({})
export class ConfigModule {
  static for(config: KilnConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: KILN_CONFIG, useValue: config }],
      exports: [KILN_CONFIG],
    };
  }
}
