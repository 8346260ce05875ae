import path from 'node:path';

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
}

export class ConfigError extends Error {}

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
    ...overrides,
  };
}

/** The DI token under which the config object is provided. */
export const KILN_CONFIG = Symbol('KILN_CONFIG');
