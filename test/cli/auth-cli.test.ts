import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestKiln } from 'test/support/kiln';
import { ADMIN, type As, bearer, startTeamKiln } from '../auth/auth-fixture';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'kiln.js');

let kiln: TestKiln & { as: As };
let home: string;

async function kilnCli(args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [BIN, ...args, '--url', kiln.url], {
    env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
  });
  return stdout;
}

beforeAll(async () => {
  kiln = await startTeamKiln();
  home = await mkdtemp(path.join(tmpdir(), 'kiln-cli-'));
});
afterAll(async () => {
  await kiln.stop();
  await rm(home, { recursive: true, force: true });
});

describe('kiln CLI (built dist/)', () => {
  it('logs in, manages users and tokens, and grants', async () => {
    expect(
      await kilnCli(['login', '-u', ADMIN.username], { KILN_PASSWORD: ADMIN.password }),
    ).toContain('Logged in');
    await kilnCli(['users', 'create', 'frank'], { KILN_NEW_PASSWORD: 'frank-password-123' });
    expect(await kilnCli(['users', 'list'])).toContain('"frank"');

    const created = await kilnCli(['tokens', 'create', 'ci', '--read-only']);
    const token = /kiln_\S+/.exec(created)![0];
    const whoami = await kiln.as(bearer(token)).get('/api/2.0/kiln/auth/whoami');
    expect(whoami.body).toEqual({ username: ADMIN.username, is_admin: true, read_only: true });

    const exp = await kiln
      .as(bearer(token))
      .post('/api/2.0/mlflow/experiments/create', { name: 'x' });
    expect(exp.status).toBe(403);
    expect(await kilnCli(['grant', 'edit', '--user', 'frank', '--experiment', '0'])).toContain(
      'EDIT',
    );

    const listed = JSON.parse(await kilnCli(['tokens', 'list'])) as { tokens: { id: string }[] };
    await kilnCli(['tokens', 'revoke', listed.tokens[0].id]);
    expect((await kiln.as(bearer(token)).get('/api/2.0/kiln/auth/whoami')).status).toBe(401);

    await kilnCli(['users', 'delete', 'frank']);
    expect(await kilnCli(['users', 'list'])).not.toContain('"frank"');
  });
});
