import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadArtifactConfig, type ArtifactConfig } from 'src/artifacts/artifact-config';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Kiln's configuration, read once from the environment at boot. `process.env` is read nowhere
 * else; a bad value stops the boot with a message naming the variable.
 */
export interface KilnConfig {
  /** Postgres URL; absent means "start an embedded PostgreSQL under dataDir". */
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Longest JSON body accepted by the MLflow APIs, in bytes. */
  maxBodyBytes: number;
  /** Port of the embedded PostgreSQL, used only without DATABASE_URL. */
  embeddedPostgresPort: number;
  /** Artifact store: local folder under dataDir, or S3 (S3_ENDPOINT, S3_BUCKET, ...). */
  artifacts: ArtifactConfig;
  auth: AuthConfig;
}

export interface AuthConfig {
  /** Off only for a single-user laptop server (`--no-auth`, KILN_AUTH=off). */
  enabled: boolean;
  /** HMAC secret of access tokens; generated per boot when unset outside production. */
  jwtSecret: string;
  jwtSecretGenerated: boolean;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
  /** Permission of a user on a resource they hold no grant on. */
  defaultPermission: 'NO_PERMISSIONS' | 'READ' | 'EDIT' | 'MANAGE';
  adminUsername: string;
  adminPassword: string | undefined;
}

export class ConfigError extends Error {}

const PERMISSION_NAMES = ['NO_PERMISSIONS', 'READ', 'EDIT', 'MANAGE'] as const;

function authConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const switchValue = (env.KILN_AUTH ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(switchValue)) {
    throw new ConfigError(`KILN_AUTH must be 'on' or 'off', got '${env.KILN_AUTH}'`);
  }
  const enabled = ['on', 'true', '1'].includes(switchValue);
  const production = env.NODE_ENV === 'production';
  if (enabled && production && !env.KILN_JWT_SECRET) {
    throw new ConfigError('KILN_JWT_SECRET must be set when NODE_ENV=production');
  }
  if (env.KILN_JWT_SECRET !== undefined && env.KILN_JWT_SECRET.length < 32) {
    throw new ConfigError('KILN_JWT_SECRET must be at least 32 characters long');
  }
  const defaultPermission = (env.KILN_DEFAULT_PERMISSION ?? 'READ').toUpperCase();
  if (!(PERMISSION_NAMES as readonly string[]).includes(defaultPermission)) {
    throw new ConfigError(
      `KILN_DEFAULT_PERMISSION must be one of ${PERMISSION_NAMES.join(', ')}, got '${defaultPermission}'`,
    );
  }
  return {
    enabled,
    jwtSecret: env.KILN_JWT_SECRET ?? randomBytes(32).toString('hex'),
    jwtSecretGenerated: env.KILN_JWT_SECRET === undefined,
    accessTokenSeconds: integer(env, 'KILN_ACCESS_TOKEN_SECONDS', 900, 30, 86400),
    refreshTokenSeconds: integer(env, 'KILN_REFRESH_TOKEN_SECONDS', 30 * 86400, 60, 365 * 86400),
    defaultPermission: defaultPermission as AuthConfig['defaultPermission'],
    adminUsername: env.KILN_ADMIN_USERNAME || 'admin',
    adminPassword: env.KILN_ADMIN_PASSWORD || undefined,
  };
}

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<KilnConfig> = {},
): KilnConfig {
  const logLevel = (env.KILN_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `KILN_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`,
    );
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgresql:// URL, got '${databaseUrl}'`);
  }
  return {
    databaseUrl,
    dataDir: path.resolve(env.KILN_DATA_DIR || 'kiln-data'),
    host: env.KILN_HOST || '127.0.0.1',
    port: integer(env, 'PORT', 5000, 0, 65535),
    logLevel,
    maxBodyBytes: integer(env, 'KILN_MAX_BODY_BYTES', 32 * 1024 * 1024, 1024, 1024 ** 3),
    embeddedPostgresPort: integer(env, 'KILN_EMBEDDED_PG_PORT', 54329, 1, 65535),
    artifacts: loadArtifactConfig(env),
    auth: authConfig(env),
    ...overrides,
  };
}

/** The DI token under which the config object is provided. */
export const KILN_CONFIG = Symbol('KILN_CONFIG');
