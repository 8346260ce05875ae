import type { TestKiln } from 'test/support/kiln';
import { ADMIN, type As, basic, bearer, createUser, PASSWORD, startTeamKiln } from './auth-fixture';

const API = '/api/2.0/mlflow';
const KILN = '/api/2.0/kiln';
let kiln: TestKiln & { as: As };
let experimentId: string;
let runId: string;

beforeAll(async () => {
  kiln = await startTeamKiln();
  await createUser(kiln, 'alice');
  await createUser(kiln, 'bob');
  const alice = kiln.as(basic('alice'));
  experimentId = (await alice.post(`${API}/experiments/create`, { name: 'alice-exp' })).body
    .experiment_id;
  runId = (await alice.post(`${API}/runs/create`, { experiment_id: experimentId })).body.run.info
    .run_id;
});
afterAll(() => kiln.stop());

const logMetric = (headers: Record<string, string>) =>
  kiln
    .as(headers)
    .post(`${API}/runs/log-metric`, { run_id: runId, key: 'loss', value: 1, timestamp: 1 });

describe('credentials', () => {
  it('accepts Basic credentials, refuses wrong ones with 401 and a challenge', async () => {
    expect((await logMetric(basic('alice'))).status).toBe(200);
    const wrong = await logMetric(basic('alice', 'not-the-password'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_code).toBe('UNAUTHENTICATED');
    expect((await logMetric({})).status).toBe(401);
  });

  it('gives the creator MANAGE and hides the experiment from users without a grant', async () => {
    const bob = kiln.as(basic('bob'));
    expect((await bob.get(`${API}/experiments/get`, { experiment_id: experimentId })).status).toBe(
      404,
    );
    const search = await bob.post(`${API}/experiments/search`, { max_results: 100 });
    expect(search.body.experiments ?? []).toEqual([]);
    const runs = await bob.post(`${API}/runs/search`, { experiment_ids: [experimentId] });
    expect(runs.body.runs).toBeUndefined();
    const grant = await kiln.as(basic('alice')).post(`${API}/experiments/permissions/create`, {
      experiment_id: experimentId,
      username: 'bob',
      permission: 'READ',
    });
    expect(grant.status).toBe(200);
    expect((await bob.get(`${API}/runs/get`, { run_id: runId })).status).toBe(200);
    expect((await logMetric(basic('bob'))).status).toBe(403);
    const seen = await bob.post(`${API}/runs/search`, { experiment_ids: [experimentId] });
    expect(seen.body.runs).toHaveLength(1);
  });

  it('logs in with a JWT, refreshes once, and refuses a reused refresh token', async () => {
    const login = await kiln.post(`${KILN}/auth/login`, { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.token_type).toBe('Bearer');
    expect((await logMetric(bearer(login.body.access_token))).status).toBe(200);
    const refreshed = await kiln.post(`${KILN}/auth/refresh`, {
      refresh_token: login.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect((await logMetric(bearer(refreshed.body.access_token))).status).toBe(200);
    const reused = await kiln.post(`${KILN}/auth/refresh`, {
      refresh_token: login.body.refresh_token,
    });
    expect(reused.status).toBe(401);
    expect((await logMetric(bearer('not.a.jwt'))).status).toBe(401);
  });

  it('API tokens: shown once, listed without secret, revoked at once, expire', async () => {
    const alice = kiln.as(basic('alice'));
    const created = await alice.post(`${KILN}/tokens/create`, { name: 'ci' });
    expect(created.body.token).toMatch(/^kiln_/);
    expect((await logMetric(bearer(created.body.token))).status).toBe(200);
    const listed = await alice.get(`${KILN}/tokens/list`);
    const entry = listed.body.tokens.find((t: { name: string }) => t.name === 'ci');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token.split('_')[2]);
    expect(entry.last_used_at).toBeGreaterThan(0);

    await alice.post(`${KILN}/tokens/revoke`, { id: created.body.info.id });
    expect((await logMetric(bearer(created.body.token))).status).toBe(401);

    const shortLived = await alice.post(`${KILN}/tokens/create`, {
      name: 'short',
      expires_in_seconds: 1,
    });
    expect((await logMetric(bearer(shortLived.body.token))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await logMetric(bearer(shortLived.body.token))).status).toBe(401);
  });

  it('a read-only token reads but cannot write', async () => {
    const ro = await kiln
      .as(basic('alice'))
      .post(`${KILN}/tokens/create`, { name: 'ro', read_only: true });
    const headers = bearer(ro.body.token);
    expect((await kiln.as(headers).get(`${API}/runs/get`, { run_id: runId })).status).toBe(200);
    expect((await logMetric(headers)).status).toBe(403);
    const create = await kiln.as(headers).post(`${API}/experiments/create`, { name: 'nope' });
    expect(create.status).toBe(403);
  });

  it('applies group grants to members, and their removal at once', async () => {
    const admin = kiln.as(basic(ADMIN.username, ADMIN.password));
    await createUser(kiln, 'carol');
    expect((await admin.post(`${KILN}/groups/create`, { name: 'vision' })).status).toBe(200);
    await admin.post(`${KILN}/groups/members/add`, { group: 'vision', username: 'carol' });
    const set = await admin.post(`${KILN}/groups/permissions/set`, {
      group: 'vision',
      experiment_id: experimentId,
      permission: 'EDIT',
    });
    expect(set.status).toBe(200);
    expect((await logMetric(basic('carol'))).status).toBe(200);
    await admin.post(`${KILN}/groups/members/remove`, { group: 'vision', username: 'carol' });
    expect((await logMetric(basic('carol'))).status).toBe(404);
  });

  it('a password change invalidates cached Basic credentials at once', async () => {
    await createUser(kiln, 'dave');
    const admin = kiln.as(basic(ADMIN.username, ADMIN.password));
    expect((await kiln.as(basic('dave')).get(`${KILN}/auth/whoami`)).status).toBe(200);
    await admin.call('PATCH', `${API}/users/update-password`, {
      username: 'dave',
      password: 'a-brand-new-password',
    });
    expect((await kiln.as(basic('dave')).get(`${KILN}/auth/whoami`)).status).toBe(401);
    expect(
      (await kiln.as(basic('dave', 'a-brand-new-password')).get(`${KILN}/auth/whoami`)).status,
    ).toBe(200);
  });

  it('rate-limits login attempts per user', async () => {
    await createUser(kiln, 'erin');
    let last = 0;
    for (let i = 0; i < 11; i++) {
      last = (
        await kiln.post(`${KILN}/auth/login`, { username: 'erin', password: 'wrong-password' })
      ).status;
    }
    expect(last).toBe(429);
    const good = await kiln.post(`${KILN}/auth/login`, { username: 'erin', password: PASSWORD });
    expect(good.status).toBe(429);
  });
});
