import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { requestFields } from 'src/common/fields.decorator';
import { MlflowError } from 'src/common/mlflow-error';
import { KILN_CONFIG, type KilnConfig } from 'src/config/kiln-config';
import { ACCESS_RULE, type AccessRule } from './access.decorator';
import { AccessService } from './access.service';
import { CredentialsService } from './credentials.service';
import { atLeast } from './permissions';
import { LOCAL_PRINCIPAL, type Principal } from './principal';
import { ResourceIds } from './resource-ids';
import { API_TOKEN_PREFIX } from './secrets';

export type AuthedRequest = Request & { user?: Principal };

const unauthenticated = (message: string) => new MlflowError('UNAUTHENTICATED', message);

/**
 * The one global guard: every route states its rule with @Access; a route without one is
 * refused. Credentials: Bearer JWT (login), Bearer API token, or Basic (MLflow clients).
 */
@Injectable()
export class KilnAuthGuard implements CanActivate {
  private readonly jwt = new (AuthGuard('jwt'))();

  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly access: AccessService,
    private readonly resources: ResourceIds,
    @Inject(KILN_CONFIG) private readonly config: KilnConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, ctx.getHandler());
    if (!rule) throw new MlflowError('PERMISSION_DENIED', 'This route declares no access rule.');
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (!this.config.auth.enabled) {
      req.user = LOCAL_PRINCIPAL;
      return true;
    }
    if (rule.kind === 'public') return true;
    try {
      req.user = await this.authenticate(ctx, req);
    } catch (err) {
      ctx
        .switchToHttp()
        .getResponse<Response>()
        .setHeader('WWW-Authenticate', 'Basic realm="kiln"');
      throw err;
    }
    await this.authorize(rule, req.user, req);
    return true;
  }

  private async authenticate(ctx: ExecutionContext, req: AuthedRequest): Promise<Principal> {
    const header = req.headers.authorization;
    if (!header)
      throw unauthenticated('Authentication required: send a Bearer token or Basic credentials.');
    const [scheme, value = ''] = header.split(' ', 2);
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const principal =
        colon > 0
          ? await this.credentials.basic(decoded.slice(0, colon), decoded.slice(colon + 1))
          : null;
      if (!principal) throw unauthenticated('Invalid username or password.');
      return principal;
    }
    if (/^bearer$/i.test(scheme) && value.startsWith(API_TOKEN_PREFIX)) {
      const principal = await this.credentials.apiToken(value);
      if (!principal) throw unauthenticated('Invalid, expired or revoked API token.');
      return principal;
    }
    if (/^bearer$/i.test(scheme)) {
      try {
        await this.jwt.canActivate(ctx);
      } catch (err) {
        if (err instanceof UnauthorizedException)
          throw unauthenticated('Invalid or expired access token.');
        throw err;
      }
      return req.user!;
    }
    throw unauthenticated(`Unsupported authorization scheme '${scheme}'.`);
  }

  private async authorize(
    rule: AccessRule,
    principal: Principal,
    req: AuthedRequest,
  ): Promise<void> {
    const denied = (why: string) =>
      new MlflowError('PERMISSION_DENIED', `Permission denied: ${why}.`);
    switch (rule.kind) {
      case 'public':
        return;
      case 'authenticated':
        if (rule.write && principal.readOnly) throw denied('this token is read-only');
        return;
      case 'admin':
        if (!principal.isAdmin || principal.readOnly) throw denied('admins only');
        return;
      case 'self': {
        const username = requestFields(req).string(rule.field);
        const own = username === principal.username && !principal.readOnly;
        if (!own && !(principal.isAdmin && !principal.readOnly))
          throw denied('only for yourself or an admin');
        return;
      }
      case 'resource': {
        // Before the ids: a write that names no resource (the route then answers 400) must not
        // get past a read-only token either.
        if (rule.need !== 'READ' && principal.readOnly) throw denied('this token is read-only');
        const ids = await this.resources.of(rule.ids, req);
        if (ids.length === 0) return;
        const have = await this.access.permissionOnAll(principal, rule.type, ids);
        if (atLeast(have, rule.need)) return;
        // Without READ the resource stays invisible: the same answer as for a missing one.
        if (!atLeast(have, 'READ')) {
          throw MlflowError.notFound(
            `The requested ${rule.type.replace('_', ' ')} does not exist.`,
          );
        }
        throw denied(`needs ${rule.need} on ${rule.type.replace('_', ' ')} ${ids.join(', ')}`);
      }
    }
  }
}
