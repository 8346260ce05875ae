import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** The package root, where prisma.config.ts and prisma/migrations live (src/ or dist/ below). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'prisma', 'migrations');

async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

async function appliedMigrations(databaseUrl: string): Promise<Set<string>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query<{ exists: boolean }>(
      "SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS exists",
    );
    if (!table.rows[0].exists) return new Set();
    const rows = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL',
    );
    return new Set(rows.rows.map((r) => r.migration_name));
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations with `prisma migrate deploy`. The check for pending ones is a single
 * query, so a started server (or a test database cloned from a migrated template) does not pay
 * for a CLI start.
 */
export async function migrate(databaseUrl: string): Promise<void> {
  const applied = await appliedMigrations(databaseUrl);
  const pending = (await committedMigrations()).filter((name) => !applied.has(name));
  if (pending.length === 0) return;
  const cli = require.resolve('prisma/build/index.js');
  await run(process.execPath, [cli, 'migrate', 'deploy'], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}
