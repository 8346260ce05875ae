import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TrackingModule } from 'src/tracking/tracking.module';
import { AccessService } from './access.service';
import { KilnAuthGuard } from './auth.guard';
import { PrismaAuthStore } from './auth.prisma-store';
import { AuthService } from './auth.service';
import { AuthStore } from './auth.store';
import { CreatorGrantInterceptor } from './creator-grant';
import { CredentialsService } from './credentials.service';
import { GrantsService } from './grants.service';
import { JwtStrategy } from './jwt.strategy';
import { KilnAuthController } from './kiln-auth.controller';
import { LoginLimiter } from './login-limiter';
import { MlflowAuthController } from './mlflow-auth.controller';
import { ResourceIds } from './resource-ids';

/** Users, credentials and permissions; its guard protects every route of the app. */
@Global()
@Module({
  imports: [PassportModule, JwtModule.register({}), TrackingModule],
  controllers: [MlflowAuthController, KilnAuthController],
  providers: [
    { provide: AuthStore, useClass: PrismaAuthStore },
    AuthService,
    AccessService,
    GrantsService,
    CredentialsService,
    JwtStrategy,
    LoginLimiter,
    ResourceIds,
    { provide: APP_GUARD, useClass: KilnAuthGuard },
    { provide: APP_INTERCEPTOR, useClass: CreatorGrantInterceptor },
  ],
  exports: [AccessService, GrantsService],
})
export class AuthModule {}
