import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { createTestDatabase, prepareTemplate } from '../test/support/database';
import { freePort } from '../test/support/free-port';

export interface LoadResult {
  name: string;
  requests: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

export interface BenchServer {
  url: string;
  pid: number;
  databaseUrl: string;
  call(
    method: string,
    route: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

/**
 * The built server (`npm run build` first) as its own process over a fresh database (or over
 * `existingDatabaseUrl`, which is kept), so the load generator and the server do not share an
 * event loop.
 */
export async function benchServer(
  env: Record<string, string> = {},
  existingDatabaseUrl?: string,
): Promise<BenchServer> {
  await prepareTemplate();
  const db = existingDatabaseUrl
    ? { url: existingDatabaseUrl, drop: async () => undefined }
    : await createTestDatabase();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.resolve(__dirname, '..', 'bin', 'kiln.js'), 'server'],
    {
      env: {
        ...process.env,
        KILN_LOG_LEVEL: 'warn',
        ...env,
        DATABASE_URL: db.url,
        PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      if (i > 300) throw new Error('the server did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pid: child.pid!,
    databaseUrl: db.url,
    call: async (method, route, body, headers = {}) => {
      const res = await fetch(`${url}${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const json = res.headers.get('content-type')?.includes('json');
      return { status: res.status, body: json && text ? JSON.parse(text) : text };
    },
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await db.drop();
    },
  };
}

/**
 * Drives one endpoint from this process with autocannon for a fixed time and reports requests
 * per second and latency percentiles in milliseconds. Every non-2xx answer counts as an error.
 */
export async function load(
  name: string,
  opts: {
    url: string;
    method?: 'GET' | 'POST';
    body?: unknown;
    /** Builds the n-th request's body, so every request writes new rows. */
    bodyAt?: (n: number) => unknown;
    headers?: Record<string, string>;
    connections: number;
    seconds: number;
    /** Requests per second over all connections; unset = as fast as the server answers. */
    rate?: number;
  },
): Promise<LoadResult> {
  if (opts.rate) return paced(name, { ...opts, rate: opts.rate });
  const latencies: number[] = [];
  let failures = 0;
  const options: autocannon.Options = {
    url: opts.url,
    method: opts.method ?? 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    ...(opts.bodyAt ? { requests: [{ setupRequest: nextBody(opts.bodyAt) }] } : {}),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    // Exact percentiles from every response time, rather than autocannon's fixed buckets.
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode >= 300) failures += 1;
    });
  });
  return summary(name, latencies, opts.seconds, failures + result.errors);
}

function summary(name: string, latencies: number[], seconds: number, errors: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
  return {
    name,
    requests: latencies.length,
    throughput: Math.round(latencies.length / seconds),
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    errors,
  };
}

/**
 * A paced load: each of `connections` clients sends a request every connections / rate seconds
 * (starting at a random offset, so clients do not move in lockstep), and a client whose answer
 * comes late sends its next request at once. Unlike autocannon's overallRate, which sends each
 * second's budget in one burst, this keeps the arrival rate even, which is how training jobs
 * logging on a timer load a server. Latency runs from when a request is sent.
 */
async function paced(
  name: string,
  opts: Parameters<typeof load>[1] & { rate: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL(opts.url);
  const interval = (1000 * opts.connections) / opts.rate;
  const end = performance.now() + opts.seconds * 1000;
  const latencies: number[] = [];
  let failures = 0;
  let n = 0;
  const send = (body: string | undefined) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        target,
        {
          method: opts.method ?? 'POST',
          agent,
          headers: { 'content-type': 'application/json', ...opts.headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const client = async () => {
    let next = performance.now() + Math.random() * interval;
    for (;;) {
      await sleep(Math.max(0, next - performance.now()));
      if (performance.now() >= end) return;
      const body = opts.bodyAt ? opts.bodyAt(n++) : opts.body;
      const started = performance.now();
      const status = await send(body === undefined ? undefined : JSON.stringify(body));
      latencies.push(performance.now() - started);
      if (status >= 300) failures += 1;
      next += interval;
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, client));
  agent.destroy();
  return summary(name, latencies, opts.seconds, failures);
}

function nextBody(bodyAt: (n: number) => unknown) {
  let n = 0;
  return (request: autocannon.Request) => ({ ...request, body: JSON.stringify(bodyAt(n++)) });
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function table(results: LoadResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.throughput} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.requests} | ${r.errors} |`,
  );
  return [
    '| scenario | req/s | p50 ms | p95 ms | p99 ms | requests | errors |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
