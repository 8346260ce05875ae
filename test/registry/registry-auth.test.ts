import {
  ADMIN,
  PASSWORD,
  basic,
  bearer,
  createUser,
  startTeamKiln,
  type As,
} from 'test/auth/auth-fixture';
import type { TestKiln } from 'test/support/kiln';

/** The registry behind authentication: permissions per model, and who did what in the audit. */
const API = '/api/2.0/mlflow';
const KILN = '/api/2.0/kiln';
let kiln: TestKiln & { as: As };

beforeAll(async () => {
  kiln = await startTeamKiln();
  await createUser(kiln, 'alice');
  await createUser(kiln, 'bob');
  const alice = kiln.as(basic('alice'));
  expect((await alice.post(`${API}/registered-models/create`, { name: 'secured' })).status).toBe(
    200,
  );
  const version = await alice.post(`${API}/model-versions/create`, {
    name: 'secured',
    source: 's3://bucket/secured/1',
  });
  expect(version.status).toBe(200);
});
afterAll(() => kiln.stop());

describe('registry with authentication', () => {
  it('gives the creator MANAGE and records the caller in the audit trail', async () => {
    const alice = kiln.as(basic('alice'));
    const moved = await alice.post(`${API}/model-versions/transition-stage`, {
      name: 'secured',
      version: '1',
      stage: 'Production',
      comment: 'signed off',
    });
    expect(moved.status).toBe(200);
    const audit = await alice.get(`${KILN}/model-versions/audit`, {
      name: 'secured',
      version: '1',
    });
    expect(audit.status).toBe(200);
    expect(audit.body.events).toEqual([
      expect.objectContaining({
        action: 'TRANSITION_STAGE',
        to_stage: 'Production',
        user_id: 'alice',
        comment: 'signed off',
      }),
    ]);
  });

  it('keeps other users out of a model they have no grant on, and out of searches', async () => {
    // Without READ a model is invisible: the same 404 as for a missing one.
    const bob = kiln.as(basic('bob'));
    expect((await bob.get(`${API}/registered-models/get`, { name: 'secured' })).status).toBe(404);
    expect(
      (
        await bob.post(`${API}/model-versions/transition-stage`, {
          name: 'secured',
          version: '1',
          stage: 'Archived',
        })
      ).status,
    ).toBe(404);
    expect((await bob.get(`${KILN}/registered-models/audit`, { name: 'secured' })).status).toBe(
      404,
    );
    const models = await bob.get(`${API}/registered-models/search`);
    expect(models.status).toBe(200);
    expect(models.body.registered_models).toBeUndefined();
    const versions = await bob.get(`${API}/model-versions/search`, { filter: "name = 'secured'" });
    expect(versions.body).toEqual({});
    expect((await kiln.get(`${API}/registered-models/get`, { name: 'secured' })).status).toBe(401);
  });

  it('promotes with a JWT from the login route, as the Swagger page does', async () => {
    const login = await kiln.post(`${KILN}/auth/login`, { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    const alice = kiln.as(bearer(login.body.access_token));
    const set = await alice.post(`${API}/registered-models/alias`, {
      name: 'secured',
      alias: 'champion',
      version: '1',
    });
    expect(set.status).toBe(200);
    const audit = await kiln
      .as(basic(ADMIN.username, ADMIN.password))
      .get(`${KILN}/registered-models/audit`, { name: 'secured' });
    expect(audit.body.events.at(-1)).toMatchObject({
      action: 'SET_ALIAS',
      alias: 'champion',
      to_version: '1',
      user_id: 'alice',
    });
  });
});
