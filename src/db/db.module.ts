import { Global, Module, type DynamicModule } from '@nestjs/common';
import { PrismaService } from './prisma.service';

/** Provides the Prisma client for a database URL resolved at boot. */
@Global()
@Module({})
export class DbModule {
  static forUrl(databaseUrl: string): DynamicModule {
    return {
      module: DbModule,
      providers: [{ provide: PrismaService, useFactory: () => new PrismaService(databaseUrl) }],
      exports: [PrismaService],
    };
  }
}
