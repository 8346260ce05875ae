import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { KILN_CONFIG, type KilnConfig } from 'src/config/kiln-config';
import { AuthStore } from './auth.store';
import type { Principal } from './principal';

export interface AccessTokenPayload {
  sub: string;
  username: string;
  typ: 'access';
}

/**
 * Verifies Kiln's short-lived access tokens (HS256 JWTs from /api/2.0/kiln/auth/login). The user
 * is re-read so that a deleted user or a revoked admin flag takes effect before expiry.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(KILN_CONFIG) config: KilnConfig,
    private readonly store: AuthStore,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: AccessTokenPayload): Promise<Principal | false> {
    if (payload.typ !== 'access') return false;
    const user = await this.store.userById(Number(payload.sub));
    if (!user) return false;
    return { userId: user.id, username: user.username, isAdmin: user.isAdmin, readOnly: false };
  }
}
