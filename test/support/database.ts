import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
// Relative: Jest's global setup runs outside the module mapper.
import { migrate } from '../../src/db/migrations';

/**
 * Test databases. The server comes from KILN_TEST_DATABASE_URL, else the local default
 * Postgres. A template database is migrated once per migration set; each test file then gets
 * its own copy, which costs a file copy instead of a migration run.
 */
export const ADMIN_URL =
  process.env.KILN_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

function templateName(): string {
  const dir = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    hash.update(name);
    if (!name.endsWith('.toml')) hash.update(readFileSync(path.join(dir, name, 'migration.sql')));
  }
  return `kiln_template_${hash.digest('hex').slice(0, 12)}`;
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates and migrates the template once (run from Jest's global setup). */
export async function prepareTemplate(): Promise<void> {
  const template = templateName();
  const exists = await withAdmin(async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    return found.rowCount === 1;
  });
  if (exists) return;
  const building = `${template}_building_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${building}"`));
  await migrate(urlFor(building));
  try {
    await withAdmin((c) => c.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`));
  } catch (err) {
    // Another Jest run built the same template meanwhile (42P04: duplicate database): use theirs.
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${building}"`));
    if ((err as { code?: string }).code !== '42P04') throw err;
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kiln_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`));
  return {
    url: urlFor(name),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(),
  };
}
