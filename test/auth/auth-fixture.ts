import { startKiln, type Reply, type TestKiln } from 'test/support/kiln';

export const ADMIN = { username: 'admin', password: 'admin-password-123' };
export const PASSWORD = 'member-password-123';

export const basic = (username: string, password = PASSWORD) => ({
  authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
});
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A team server with auth on and no access by default, so every grant is visible in tests. */
export async function startTeamKiln(): Promise<TestKiln & { as: As }> {
  const kiln = await startKiln({
    KILN_AUTH: 'on',
    KILN_ADMIN_USERNAME: ADMIN.username,
    KILN_ADMIN_PASSWORD: ADMIN.password,
    KILN_DEFAULT_PERMISSION: 'NO_PERMISSIONS',
    KILN_JWT_SECRET: 'a-test-secret-that-is-long-enough-1234567890',
  });
  const as: As = (headers) => ({
    get: (path, query = {}) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
      }
      const qs = params.toString();
      return kiln.call('GET', qs ? `${path}?${qs}` : path, undefined, headers);
    },
    post: (path, body) => kiln.call('POST', path, body, headers),
    call: (method, path, body) => kiln.call(method, path, body, headers),
  });
  return Object.assign(kiln, { as });
}

export interface Caller {
  get(path: string, query?: Record<string, string | string[]>): Promise<Reply>;
  post(path: string, body: unknown): Promise<Reply>;
  call(method: string, path: string, body?: unknown): Promise<Reply>;
}
export type As = (headers: Record<string, string>) => Caller;

export async function createUser(kiln: TestKiln & { as: As }, username: string): Promise<void> {
  const res = await kiln
    .as(basic(ADMIN.username, ADMIN.password))
    .post('/api/2.0/mlflow/users/create', { username, password: PASSWORD });
  if (res.status !== 200)
    throw new Error(`could not create ${username}: ${JSON.stringify(res.body)}`);
}
