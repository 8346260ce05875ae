/**
 * p95 of an authenticated log-batch (10 metrics) against the same call with auth off, at a
 * fixed 200 requests/s from 20 clients (latency, not saturation), then flat out (throughput).
 * Run: npm run build && npm run bench:auth
 */
import { benchServer, load, table } from './support';

/** Request n goes to run n mod 20: twenty clients, each logging to its own run. */
const batch = (runIds: string[]) => (n: number) => ({
  run_id: runIds[n % runIds.length],
  metrics: Array.from({ length: 10 }, (_, k) => ({
    key: `m${k}`,
    value: Math.random(),
    timestamp: 1_700_000_000_000 + n,
    step: n,
  })),
});

async function scenario(
  label: string,
  env: Record<string, string>,
  headers: Record<string, string>,
) {
  const kiln = await benchServer(env);
  try {
    if (env.KILN_AUTH === 'on') {
      // A member, not an admin: the guard then reads the grants like for any team member.
      await kiln.call('POST', '/api/2.0/mlflow/users/create', MEMBER, ADMIN_BASIC);
    }
    const call = (path: string, body: unknown) => kiln.call('POST', path, body, headers);
    const exp = await call('/api/2.0/mlflow/experiments/create', { name: 'bench' });
    const runIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const run = await call('/api/2.0/mlflow/runs/create', {
        experiment_id: exp.body.experiment_id,
      });
      runIds.push(run.body.run.info.run_id as string);
    }
    // Warm up caches, JIT and the connection pool before measuring.
    await load(`${label} warm-up`, {
      url: `${kiln.url}/api/2.0/mlflow/runs/log-batch`,
      bodyAt: batch(runIds),
      headers,
      connections: 20,
      seconds: 3,
    });
    const target = {
      url: `${kiln.url}/api/2.0/mlflow/runs/log-batch`,
      bodyAt: batch(runIds),
      headers,
    };
    return [
      await load(`log-batch 10 metrics, ${label}, 1 client`, {
        ...target,
        connections: 1,
        seconds: 10,
      }),
      await load(`log-batch 10 metrics, ${label}, 200 req/s`, {
        ...target,
        connections: 20,
        seconds: 15,
        rate: 200,
      }),
      await load(`log-batch 10 metrics, ${label}, flat out`, {
        ...target,
        connections: 20,
        seconds: 10,
      }),
    ];
  } finally {
    await kiln.stop();
  }
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const ADMIN_PASSWORD = 'bench-password-1234';
const ADMIN_BASIC = basic('admin', ADMIN_PASSWORD);
const MEMBER = { username: 'member', password: 'member-password-1234' };

async function main() {
  const authEnv = {
    KILN_AUTH: 'on',
    KILN_ADMIN_USERNAME: 'admin',
    KILN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    KILN_JWT_SECRET: 'bench-secret-bench-secret-bench-secret-1234',
  };
  const results = [
    await scenario('auth off', { KILN_AUTH: 'off' }, {}),
    await scenario('auth on, Basic, member', authEnv, basic(MEMBER.username, MEMBER.password)),
    await scenario('auth off (again)', { KILN_AUTH: 'off' }, {}),
  ];
  console.log(table(results.flat()));
}

void main();
