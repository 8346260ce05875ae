import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';

/** Passwords: argon2id, memory-hard, with the library's recommended cost. */
export const hashPassword = (password: string): Promise<string> =>
  argon2.hash(password, { type: argon2.argon2id });

export const verifyPassword = (hash: string, password: string): Promise<boolean> =>
  argon2.verify(hash, password);

/**
 * Tokens are 32 random bytes, so a fast hash is enough to store them: there is nothing to
 * brute-force. Their id is sent in clear beside the secret to find the row.
 */
export function newSecret(): { id: string; secret: string; hash: string } {
  const id = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, hash: sha256(secret) };
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const API_TOKEN_PREFIX = 'kiln_';

/** `kiln_<id>_<secret>`: what users paste into MLFLOW_TRACKING_TOKEN. */
export const formatApiToken = (id: string, secret: string): string =>
  `${API_TOKEN_PREFIX}${id}_${secret}`;

export function parseApiToken(token: string): { id: string; secret: string } | null {
  const match = /^kiln_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { id: match[1], secret: match[2] } : null;
}

export const generatedPassword = (): string => randomBytes(18).toString('base64url');
