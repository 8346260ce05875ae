import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from 'test/support/free-port';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'kiln.js');

let dataDir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kiln-embedded-'));
  // As root, PostgreSQL runs as its own system user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('kiln server without DATABASE_URL', () => {
  it('starts on embedded PostgreSQL, serves the API, and stops on SIGTERM', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KILN_DATA_DIR: dataDir,
      KILN_EMBEDDED_PG_PORT: String(pgPort),
    };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, [BIN, 'server', '--port', String(port), '--no-auth'], {
      env,
      stdio: 'ignore',
    });
    const url = `http://127.0.0.1:${port}`;
    let health = '';
    for (let i = 0; i < 1200 && health !== 'OK'; i++) {
      health = await fetch(`${url}/health`).then(
        (r) => r.text(),
        () => new Promise<string>((resolve) => setTimeout(() => resolve(''), 100)),
      );
    }
    expect(health).toBe('OK');
    const res = await fetch(
      `${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`,
    );
    expect(
      ((await res.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id,
    ).toBe('0');

    // On SIGTERM the server closes and the embedded PostgreSQL shuts down cleanly with it.
    child.kill('SIGTERM');
    await once(child, 'exit');
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    for (let i = 0; i < 100 && existsSync(pidFile); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(existsSync(pidFile)).toBe(false);
  }, 180_000);
});
