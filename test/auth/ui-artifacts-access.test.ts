import { rawRequest } from 'test/artifacts/support/http';
import { ADMIN, basic, createUser, startTeamKiln } from './auth-fixture';

const API = '/api/2.0/mlflow';
const UPLOAD = '/ajax-api/2.0/mlflow/upload-artifact';
let kiln: Awaited<ReturnType<typeof startTeamKiln>>;
let runId: string;
let experimentId: string;
const admin = () => kiln.as(basic(ADMIN.username, ADMIN.password));

beforeAll(async () => {
  kiln = await startTeamKiln();
  await createUser(kiln, 'alice');
  experimentId = (await admin().post(`${API}/experiments/create`, { name: 'private' })).body
    .experiment_id;
  runId = (await admin().post(`${API}/runs/create`, { experiment_id: experimentId })).body.run.info
    .run_id;
  const stored = await upload(basic(ADMIN.username, ADMIN.password), 'model/weights.txt', 'SECRET');
  expect(stored.status).toBe(200);
});
afterAll(() => kiln.stop());

function upload(headers: Record<string, string>, path: string, body?: string) {
  const query = `run_uuid=${runId}&path=${encodeURIComponent(path)}`;
  return rawRequest(kiln.url, 'POST', `${UPLOAD}?${query}`, body, {
    'content-type': 'application/json',
    ...headers,
  });
}

const adminFile = async () =>
  (
    await rawRequest(
      kiln.url,
      'GET',
      `/get-artifact?run_id=${runId}&path=model/weights.txt`,
      undefined,
      basic(ADMIN.username, ADMIN.password),
    )
  ).body.toString();

describe("the web UI's artifact routes under auth", () => {
  it('checks the run named in the query, with or without a body', async () => {
    // Invisible to alice: 404, whether the request has a body or none at all.
    expect((await upload(basic('alice'), 'model/weights.txt')).status).toBe(404);
    expect((await upload(basic('alice'), 'model/weights.txt', 'overwritten')).status).toBe(404);
    await admin().post(`${API}/experiments/permissions/create`, {
      experiment_id: experimentId,
      username: 'alice',
      permission: 'READ',
    });
    expect((await upload(basic('alice'), 'model/weights.txt')).status).toBe(403);
    expect((await upload(basic('alice'), 'model/weights.txt', 'overwritten')).status).toBe(403);
    expect(await adminFile()).toBe('SECRET');
    // With the permission, an empty body is refused as MLflow does, and the file stays.
    const empty = await upload(basic(ADMIN.username, ADMIN.password), 'model/weights.txt');
    expect([empty.status, empty.json?.message]).toEqual([400, 'Request must specify data.']);
    expect(await adminFile()).toBe('SECRET');
  });

  it("does not serve a model version's files from an experiment the caller cannot read", async () => {
    const revoked = await admin().call('DELETE', `${API}/experiments/permissions/delete`, {
      experiment_id: experimentId,
      username: 'alice',
    });
    expect(revoked.status).toBe(200);
    const alice = kiln.as(basic('alice'));
    expect((await alice.post(`${API}/registered-models/create`, { name: 'borrowed' })).status).toBe(
      200,
    );
    const version = await alice.post(`${API}/model-versions/create`, {
      name: 'borrowed',
      source: `runs:/${runId}/model`,
    });
    expect(version.status).toBe(200);
    const file = (headers: Record<string, string>) =>
      rawRequest(
        kiln.url,
        'GET',
        '/model-versions/get-artifact?name=borrowed&version=1&path=weights.txt',
        undefined,
        headers,
      );
    const refused = await file(basic('alice'));
    expect([refused.status, refused.json?.error_code]).toEqual([403, 'PERMISSION_DENIED']);
    const allowed = await file(basic(ADMIN.username, ADMIN.password));
    expect([allowed.status, allowed.body.toString()]).toEqual([200, 'SECRET']);
  });
});
