import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN, basic, createUser, startTeamKiln, type As } from 'test/auth/auth-fixture';
import type { TestKiln } from 'test/support/kiln';

/** Registry webhooks: signed POSTs to a local receiver, retried with backoff, listed. */
const API = '/api/2.0/mlflow';
const KILN = '/api/2.0/kiln';
const MODEL = 'hooked';
const SECRET = 'hook-secret';
let kiln: TestKiln & { as: As };

interface Received {
  path: string;
  body: string;
  signature: string | undefined;
}
const received: Received[] = [];
/** Answers 500 to this many requests to /flaky before answering 200. */
let flakyFailures = 0;
let receiver: Server;
let base = '';

const alice = () => kiln.as(basic('alice')); // MANAGE (creator)
const bob = () => kiln.as(basic('bob')); // EDIT

async function until<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-kiln-signature'] as string | undefined,
      });
      const fail = req.url === '/down' || (req.url === '/flaky' && flakyFailures-- > 0);
      res.writeHead(fail ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  kiln = await startTeamKiln();
  await createUser(kiln, 'alice');
  await createUser(kiln, 'bob');
  expect((await alice().post(`${API}/registered-models/create`, { name: MODEL })).status).toBe(200);
  await kiln
    .as(basic(ADMIN.username, ADMIN.password))
    .post(`${API}/registered-models/permissions/create`, {
      name: MODEL,
      username: 'bob',
      permission: 'EDIT',
    });
});
afterAll(async () => {
  await kiln.stop();
  await new Promise((r) => receiver.close(r));
});

async function createHook(path: string, events: string[]): Promise<string> {
  const res = await alice().post(`${KILN}/webhooks/create`, {
    name: MODEL,
    url: `${base}${path}`,
    secret: SECRET,
    events,
  });
  expect(res.status).toBe(200);
  expect(res.body.webhook).toMatchObject({ name: MODEL, url: `${base}${path}`, events });
  expect(res.body.webhook.secret).toBeUndefined();
  return res.body.webhook.id as string;
}

describe('registry webhooks', () => {
  let hookId = '';

  it('are created and listed by MANAGE users only, with valid urls and events', async () => {
    const byEditor = await bob().post(`${KILN}/webhooks/create`, {
      name: MODEL,
      url: `${base}/ok`,
      secret: SECRET,
      events: ['STAGE_CHANGED'],
    });
    expect(byEditor.status).toBe(403);
    for (const bad of [
      { url: 'ftp://x/y', events: ['STAGE_CHANGED'] },
      { url: `${base}/ok`, events: ['NOPE'] },
      { url: `${base}/ok`, events: [] },
    ]) {
      const res = await alice().post(`${KILN}/webhooks/create`, {
        name: MODEL,
        secret: SECRET,
        ...bad,
      });
      expect(res.status).toBe(400);
    }
    hookId = await createHook('/ok', ['MODEL_VERSION_CREATED', 'STAGE_CHANGED', 'ALIAS_CHANGED']);
    const list = await alice().get(`${KILN}/webhooks/list`, { name: MODEL });
    expect(list.body.webhooks.map((h: { id: string }) => h.id)).toEqual([hookId]);
    expect((await bob().get(`${KILN}/webhooks/list`, { name: MODEL })).status).toBe(403);
  });

  it('posts signed events for new versions, stage and alias changes', async () => {
    expect(
      (
        await bob().post(`${API}/model-versions/create`, {
          name: MODEL,
          source: 's3://bucket/hooked/1',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await bob().post(`${API}/model-versions/transition-stage`, {
          name: MODEL,
          version: '1',
          stage: 'Staging',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await bob().post(`${API}/registered-models/alias`, {
          name: MODEL,
          alias: 'champion',
          version: '1',
        })
      ).status,
    ).toBe(200);
    const got = await until(async () => {
      const ok = received.filter((r) => r.path === '/ok');
      return ok.length >= 3 ? ok : undefined;
    });
    const events = got.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(events.map((e) => e.event).sort()).toEqual([
      'ALIAS_CHANGED',
      'MODEL_VERSION_CREATED',
      'STAGE_CHANGED',
    ]);
    expect(events.find((e) => e.event === 'STAGE_CHANGED')).toMatchObject({
      registered_model: MODEL,
      data: { version: '1', from_stage: 'None', to_stage: 'Staging', user_id: 'bob' },
    });
    for (const r of got) {
      const hex = createHmac('sha256', SECRET).update(r.body).digest('hex');
      expect(r.signature).toBe(`sha256=${hex}`);
    }
    const deliveries = await until(async () => {
      const res = await alice().get(`${KILN}/webhooks/deliveries`, { id: hookId });
      const list = (res.body.deliveries ?? []) as { status: string }[];
      return list.length === 3 && list.every((d) => d.status === 'SUCCEEDED') ? list : undefined;
    });
    expect(deliveries[0]).toMatchObject({
      webhook_id: hookId,
      attempts: [expect.objectContaining({ attempt: 1, status_code: 204 })],
    });
    expect((await bob().get(`${KILN}/webhooks/deliveries`, { id: hookId })).status).toBe(403);
  });

  it('retries failures with backoff, recording every attempt', async () => {
    flakyFailures = 1;
    const flaky = await createHook('/flaky', ['ALIAS_CHANGED']);
    const down = await createHook('/down', ['ALIAS_CHANGED']);
    expect(
      (
        await alice().call('DELETE', `${API}/registered-models/alias`, {
          name: MODEL,
          alias: 'champion',
        })
      ).status,
    ).toBe(200);
    const recovered = await until(async () => {
      const res = await alice().get(`${KILN}/webhooks/deliveries`, { id: flaky });
      const d = res.body.deliveries?.[0];
      return d?.status === 'SUCCEEDED' ? d : undefined;
    });
    expect(recovered.attempts).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 500, error: 'HTTP 500' }),
      expect.objectContaining({ attempt: 2, status_code: 204 }),
    ]);
    const failed = await until(async () => {
      const res = await alice().get(`${KILN}/webhooks/deliveries`, { id: down });
      const d = res.body.deliveries?.[0];
      return d?.status === 'FAILED' ? d : undefined;
    });
    expect(failed.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3]);
    const times = failed.attempts.map((a: { timestamp: number }) => a.timestamp);
    expect(times[2] - times[1]).toBeGreaterThan(times[1] - times[0]);
    expect(received.filter((r) => r.path === '/down')).toHaveLength(3);
  });

  it('are deleted by MANAGE users', async () => {
    expect((await bob().post(`${KILN}/webhooks/delete`, { id: hookId })).status).toBe(403);
    expect((await alice().post(`${KILN}/webhooks/delete`, { id: hookId })).status).toBe(200);
    expect((await alice().post(`${KILN}/webhooks/delete`, { id: hookId })).status).toBe(404);
    expect((await alice().get(`${KILN}/webhooks/deliveries`, { id: hookId })).status).toBe(404);
  });
});
