import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { MlflowError } from 'src/common/mlflow-error';
import { KILN_CONFIG, type KilnConfig } from 'src/config/kiln-config';
import type { ApiTokenRecord, User } from './auth.entities';
import { AuthStore } from './auth.store';
import type { AccessTokenPayload } from './jwt.strategy';
import { LOCAL_PRINCIPAL, type Principal } from './principal';
import {
  formatApiToken,
  generatedPassword,
  hashPassword,
  newSecret,
  sameHash,
  sha256,
  verifyPassword,
} from './secrets';

const MIN_PASSWORD = 12;

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

/** Users, passwords, sessions (JWT + refresh) and API tokens. */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly store: AuthStore,
    private readonly jwt: JwtService,
    @Inject(KILN_CONFIG) private readonly config: KilnConfig,
  ) {}

  /** No default password anywhere: the first admin comes from the environment or is random. */
  async onApplicationBootstrap(): Promise<void> {
    const auth = this.config.auth;
    if (!auth.enabled || (await this.store.countAdmins()) > 0) return;
    if (await this.store.userByName(auth.adminUsername)) return;
    const password = auth.adminPassword ?? generatedPassword();
    await this.store.createUser(auth.adminUsername, await hashPassword(password), true);
    if (auth.adminPassword === undefined) {
      // Printed once, to the console only, never to the structured log.
      process.stdout.write(
        `\nKiln created the admin user '${auth.adminUsername}' with password: ${password}\n` +
          'It is shown only this once. Change it with `kiln users password`.\n\n',
      );
    }
    if (auth.jwtSecretGenerated) {
      this.logger.warn('KILN_JWT_SECRET is not set: access tokens will not survive a restart.');
    }
  }

  async createUser(username: string, password: string, isAdmin = false): Promise<User> {
    checkUsername(username);
    checkPassword(password);
    if (await this.store.userByName(username)) {
      throw MlflowError.alreadyExists(`User '${username}' already exists.`);
    }
    return this.store.createUser(username, await hashPassword(password), isAdmin);
  }

  async user(username: string): Promise<User> {
    const user = await this.store.userByName(username);
    if (!user) throw MlflowError.notFound(`User with username=${username} not found`);
    return user;
  }

  listUsers(): Promise<User[]> {
    return this.store.listUsers();
  }

  async updatePassword(username: string, password: string): Promise<void> {
    checkPassword(password);
    const user = await this.user(username);
    await this.store.setPassword(user.id, await hashPassword(password));
  }

  async updateAdmin(username: string, isAdmin: boolean): Promise<void> {
    const user = await this.user(username);
    await this.store.setAdmin(user.id, isAdmin);
  }

  async deleteUser(username: string): Promise<void> {
    const user = await this.user(username);
    await this.store.deleteUser(user.id);
  }

  async login(username: string, password: string): Promise<TokenPair> {
    const user = await this.store.userByName(username);
    // Verify against a fixed hash when the user is unknown, so timing does not reveal names.
    const hash = user?.passwordHash ?? (await this.dummyHash());
    if (!(await verifyPassword(hash, password)) || !user) {
      throw new MlflowError('UNAUTHENTICATED', 'Invalid username or password.');
    }
    return this.issue(user);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const [id, secret] = refreshToken.split('.', 2);
    const record = id && secret ? await this.store.consumeRefreshToken(id) : null;
    const valid =
      record !== null &&
      sameHash(record.secretHash, sha256(secret)) &&
      record.expiresAt > Date.now();
    const user = valid ? await this.store.userById(record.userId) : null;
    if (!user) throw new MlflowError('UNAUTHENTICATED', 'Invalid or expired refresh token.');
    return this.issue(user);
  }

  async createToken(
    principal: Principal,
    name: string,
    opts: { readOnly: boolean; expiresInSeconds?: number },
  ): Promise<{ token: string; record: ApiTokenRecord }> {
    if (!name.trim()) throw MlflowError.invalid("Missing value for required parameter 'name'.");
    if (principal.userId === LOCAL_PRINCIPAL.userId) {
      throw MlflowError.invalid(
        'API tokens belong to a user: this server runs with auth off, so it has none to give.',
      );
    }
    const { id, secret, hash } = newSecret();
    const now = Date.now();
    const record: ApiTokenRecord = {
      id,
      userId: principal.userId,
      name,
      secretHash: hash,
      // A token made with a read-only token cannot be stronger than it.
      readOnly: opts.readOnly || principal.readOnly,
      createdAt: now,
      expiresAt: opts.expiresInSeconds ? now + opts.expiresInSeconds * 1000 : null,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.createToken(record);
    return { token: formatApiToken(id, secret), record };
  }

  listTokens(principal: Principal): Promise<ApiTokenRecord[]> {
    return this.store.listTokens(principal.userId);
  }

  async revokeToken(principal: Principal, id: string): Promise<void> {
    const token = await this.store.tokenById(id);
    if (!token || (token.userId !== principal.userId && !principal.isAdmin)) {
      throw MlflowError.notFound(`API token ${id} not found.`);
    }
    await this.store.revokeToken(id);
  }

  private async issue(user: User): Promise<TokenPair> {
    const auth = this.config.auth;
    const payload: AccessTokenPayload = {
      sub: String(user.id),
      username: user.username,
      typ: 'access',
    };
    const access = await this.jwt.signAsync(payload, {
      secret: auth.jwtSecret,
      expiresIn: auth.accessTokenSeconds,
      algorithm: 'HS256',
    });
    const { id, secret, hash } = newSecret();
    await this.store.createRefreshToken({
      id,
      userId: user.id,
      secretHash: hash,
      expiresAt: Date.now() + auth.refreshTokenSeconds * 1000,
      revokedAt: null,
    });
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: auth.accessTokenSeconds,
      refresh_token: `${id}.${secret}`,
    };
  }

  private dummy?: Promise<string>;
  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(generatedPassword());
    return this.dummy;
  }
}

function checkUsername(username: string): void {
  if (!/^[\w.@-]{1,255}$/.test(username)) {
    throw MlflowError.invalid(
      `Invalid username '${username}': use 1-255 letters, digits, '.', '_', '-' or '@'.`,
    );
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD) {
    throw MlflowError.invalid(`Password must be at least ${MIN_PASSWORD} characters long.`);
  }
}
