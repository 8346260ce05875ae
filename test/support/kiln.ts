import { loadConfig } from 'src/config/kiln-config';
import { startServer, type RunningServer } from 'src/server';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestKiln {
  server: RunningServer;
  url: string;
  /** JSON call to the server: returns status and parsed body (or text when not JSON). */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  get(path: string, query?: Record<string, string | string[]>): Promise<Reply>;
  post(path: string, body: unknown): Promise<Reply>;
  stop(): Promise<void>;
}

export interface Reply {
  status: number;
  // Tests read into answers freely; each assertion states the shape it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  contentType: string | null;
}

/**
 * A real Kiln server on a random port over its own fresh database. Auth is off unless the test
 * turns it on (KILN_AUTH=on): most suites test other things.
 */
export async function startKiln(env: Record<string, string> = {}): Promise<TestKiln> {
  const db: TestDatabase = await createTestDatabase();
  const config = loadConfig({
    KILN_LOG_LEVEL: 'silent',
    KILN_AUTH: 'off',
    ...env,
    DATABASE_URL: db.url,
    PORT: '0',
  });
  const server = await startServer(config);
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${server.url}${path}`, init);
    const text = await res.text();
    const contentType = res.headers.get('content-type');
    let parsed: unknown = text;
    if (contentType?.includes('application/json') && text !== '') parsed = JSON.parse(text);
    return { status: res.status, body: parsed, contentType };
  };
  return {
    server,
    url: server.url,
    call,
    get: (path, query = {}) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
      }
      const qs = params.toString();
      return call('GET', qs ? `${path}?${qs}` : path);
    },
    post: (path, body) => call('POST', path, body),
    stop: async () => {
      await server.close();
      await db.drop();
    },
  };
}

/** Asserts an MLflow error answer: its status and error_code together, in one readable diff. */
export function expectError(res: Reply, status: number, code: string): void {
  expect({ status: res.status, code: res.body.error_code }).toEqual({ status, code });
}
