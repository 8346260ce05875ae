import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AuthStore } from './auth.store';
import type { Principal } from './principal';
import { createHmac, randomBytes } from 'node:crypto';
import { parseApiToken, sameHash, sha256, verifyPassword } from './secrets';

/** How long a verified Basic credential is trusted without hashing the password again. */
const BASIC_CACHE_MS = 5 * 60_000;
/** last_used_at of an API token is written at most this often, not on every call. */
const TOUCH_INTERVAL_MS = 60_000;

interface VerifiedBasic {
  userId: number;
  passwordVersion: number;
}

/**
 * Checks the credentials MLflow clients send: Basic (MLFLOW_TRACKING_USERNAME/PASSWORD) and
 * API tokens (MLFLOW_TRACKING_TOKEN). A Basic password is verified with argon2 once; after that a
 * keyed digest of the credential is remembered, bound to the user's password version, so a
 * password change or user deletion invalidates it at once and no plaintext is kept.
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);
  private readonly basicCache = new LRUCache<string, VerifiedBasic>({
    max: 10_000,
    ttl: BASIC_CACHE_MS,
  });
  private readonly touched = new LRUCache<string, number>({ max: 10_000, ttl: TOUCH_INTERVAL_MS });
  /** Per-process key of the credential digests: they are useless outside this process. */
  private readonly digestKey = randomBytes(32);

  constructor(private readonly store: AuthStore) {}

  async basic(username: string, password: string): Promise<Principal | null> {
    const key = createHmac('sha256', this.digestKey)
      .update(`${username}\u0000${password}`)
      .digest('hex');
    const known = this.basicCache.get(key);
    const user = await this.store.userByName(username);
    if (!user) return null;
    if (!(known && known.userId === user.id && known.passwordVersion === user.passwordVersion)) {
      if (!(await verifyPassword(user.passwordHash, password))) return null;
      this.basicCache.set(key, { userId: user.id, passwordVersion: user.passwordVersion });
    }
    return { userId: user.id, username: user.username, isAdmin: user.isAdmin, readOnly: false };
  }

  async apiToken(token: string): Promise<Principal | null> {
    const parsed = parseApiToken(token);
    if (!parsed) return null;
    const record = await this.store.tokenById(parsed.id);
    const now = Date.now();
    if (!record || !sameHash(record.secretHash, sha256(parsed.secret))) return null;
    if (record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= now)) {
      return null;
    }
    const user = await this.store.userById(record.userId);
    if (!user) return null;
    if (!this.touched.has(record.id)) {
      this.touched.set(record.id, now);
      this.store.touchToken(record.id, now).catch((err: unknown) => {
        this.logger.warn({ err, tokenId: record.id }, 'could not record token use');
      });
    }
    return {
      userId: user.id,
      username: user.username,
      isAdmin: user.isAdmin,
      readOnly: record.readOnly,
    };
  }
}
