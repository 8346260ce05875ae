import { ADMIN, basic, createUser, startTeamKiln, type As } from 'test/auth/auth-fixture';
import type { TestKiln } from 'test/support/kiln';

/** Optional approval of stage transitions: EDIT users request, MANAGE users approve or reject. */
const API = '/api/2.0/mlflow';
const KILN = '/api/2.0/kiln';
const MODEL = 'gated';
let kiln: TestKiln & { as: As };

const admin = () => kiln.as(basic(ADMIN.username, ADMIN.password));
const alice = () => kiln.as(basic('alice')); // creator: MANAGE
const bob = () => kiln.as(basic('bob')); // EDIT
const carol = () => kiln.as(basic('carol')); // READ
const dave = () => kiln.as(basic('dave')); // nothing

async function stageOf(version: string): Promise<string> {
  const res = await alice().get(`${API}/model-versions/get`, { name: MODEL, version });
  expect(res.status).toBe(200);
  return res.body.model_version.current_stage as string;
}

async function requireApproval(enabled: boolean, name = MODEL): Promise<void> {
  const res = await alice().post(`${KILN}/registered-models/require-approval`, { name, enabled });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ name, require_approval: enabled });
}

beforeAll(async () => {
  kiln = await startTeamKiln();
  for (const user of ['alice', 'bob', 'carol', 'dave']) await createUser(kiln, user);
  expect((await alice().post(`${API}/registered-models/create`, { name: MODEL })).status).toBe(200);
  for (let i = 1; i <= 3; i++) {
    const v = await alice().post(`${API}/model-versions/create`, {
      name: MODEL,
      source: `s3://bucket/gated/${i}`,
    });
    expect(v.status).toBe(200);
  }
  for (const [username, permission] of [
    ['bob', 'EDIT'],
    ['carol', 'READ'],
  ]) {
    const grant = await admin().post(`${API}/registered-models/permissions/create`, {
      name: MODEL,
      username,
      permission,
    });
    expect(grant.status).toBe(200);
  }
});
afterAll(() => kiln.stop());

describe('require approval setting', () => {
  it('is off by default, set by MANAGE only, and shown with the requests', async () => {
    const before = await carol().get(`${KILN}/transition-requests`, { name: MODEL });
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ require_approval: false });
    const byEditor = await bob().post(`${KILN}/registered-models/require-approval`, {
      name: MODEL,
      enabled: true,
    });
    expect(byEditor.status).toBe(403);
    expect(
      (
        await admin().post(`${KILN}/registered-models/require-approval`, {
          name: 'no-such-model',
          enabled: true,
        })
      ).status,
    ).toBe(404);
    expect(
      (await alice().post(`${KILN}/registered-models/require-approval`, { name: MODEL })).status,
    ).toBe(400);
    await requireApproval(true);
    await requireApproval(true); // idempotent
    const after = await carol().get(`${KILN}/transition-requests`, { name: MODEL });
    expect(after.body).toEqual({ require_approval: true });
    expect((await dave().get(`${KILN}/transition-requests`, { name: MODEL })).status).toBe(404);
  });
});

describe('transition requests', () => {
  let requestId = '';

  it('turns an EDIT user’s transition into a pending request and leaves the version', async () => {
    const res = await bob().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '1',
      stage: 'production',
      archive_existing_versions: true,
      comment: 'ready to ship',
    });
    expect(res.status).toBe(200);
    expect(res.body.model_version).toMatchObject({
      name: MODEL,
      version: '1',
      current_stage: 'None',
    });
    expect(res.body.pending_request).toMatchObject({
      name: MODEL,
      version: '1',
      stage: 'Production',
      archive_existing_versions: true,
      status: 'PENDING',
      requested_by: 'bob',
      comment: 'ready to ship',
    });
    requestId = res.body.pending_request.id;
    expect(requestId).toMatch(/^\d+$/);
    expect(await stageOf('1')).toBe('None');

    const list = await carol().get(`${KILN}/transition-requests`, { name: MODEL });
    expect(list.body.require_approval).toBe(true);
    expect(list.body.requests).toEqual([res.body.pending_request]);
    const audit = await alice().get(`${KILN}/model-versions/audit`, { name: MODEL, version: '1' });
    expect(audit.status).toBe(200);
    expect(audit.body.events).toBeUndefined(); // nothing happened to the version yet
  });

  it('validates a requested transition as a transition', async () => {
    const bad = await bob().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '1',
      stage: 'Bogus',
    });
    expect(bad.status).toBe(400);
    const archiveNone = await bob().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '1',
      stage: 'None',
      archive_existing_versions: true,
    });
    expect(archiveNone.status).toBe(400);
    const missing = await bob().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '99',
      stage: 'Staging',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const list = await carol().get(`${KILN}/transition-requests`, { name: MODEL });
    expect(list.body.requests).toHaveLength(1);
  });

  it('lets only MANAGE users decide', async () => {
    const editor = await bob().post(`${KILN}/transition-requests/approve`, { id: requestId });
    expect(editor.status).toBe(403);
    const reader = await carol().post(`${KILN}/transition-requests/reject`, { id: requestId });
    expect(reader.status).toBe(403);
    const stranger = await dave().post(`${KILN}/transition-requests/approve`, { id: requestId });
    expect(stranger.status).toBe(404);
    expect((await kiln.post(`${KILN}/transition-requests/approve`, { id: requestId })).status).toBe(
      401,
    );
    const unknown = await alice().post(`${KILN}/transition-requests/approve`, { id: '987654' });
    expect(unknown.status).toBe(404);
    expect((await alice().post(`${KILN}/transition-requests/approve`, {})).status).toBe(400);
    expect(await stageOf('1')).toBe('None');
  });

  it('makes the transition on approval, recording approver and requester', async () => {
    const res = await alice().post(`${KILN}/transition-requests/approve`, {
      id: requestId,
      comment: 'looks good',
    });
    expect(res.status).toBe(200);
    expect(res.body.model_version).toMatchObject({ version: '1', current_stage: 'Production' });
    expect(res.body.request).toMatchObject({
      id: requestId,
      status: 'APPROVED',
      requested_by: 'bob',
      decided_by: 'alice',
      decision_comment: 'looks good',
    });
    expect(await stageOf('1')).toBe('Production');
    const audit = await carol().get(`${KILN}/model-versions/audit`, { name: MODEL, version: '1' });
    expect(audit.body.events).toEqual([
      expect.objectContaining({
        action: 'TRANSITION_STAGE',
        from_stage: 'None',
        to_stage: 'Production',
        user_id: 'alice',
      }),
    ]);
    const comment = audit.body.events[0].comment as string;
    expect(comment).toContain(`request ${requestId} by bob`);
    expect(comment).toContain('approved by alice');
    expect(comment).toContain('ready to ship');
    expect(comment).toContain('looks good');

    const again = await alice().post(`${KILN}/transition-requests/approve`, { id: requestId });
    expect(again.status).toBe(400);
    expect(again.body.message).toContain('approved');
  });

  it('leaves the version alone on rejection', async () => {
    const asked = await bob().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '2',
      stage: 'Staging',
    });
    expect(asked.status).toBe(200);
    const id = asked.body.pending_request.id as string;
    const res = await alice().post(`${KILN}/transition-requests/reject`, {
      id,
      comment: 'not yet',
    });
    expect(res.status).toBe(200);
    expect(res.body.request).toMatchObject({
      id,
      status: 'REJECTED',
      decided_by: 'alice',
      decision_comment: 'not yet',
    });
    expect(await stageOf('2')).toBe('None');
    expect((await alice().post(`${KILN}/transition-requests/approve`, { id })).status).toBe(400);
    const pending = await carol().get(`${KILN}/transition-requests`, {
      name: MODEL,
      status: 'pending',
    });
    expect(pending.body).toEqual({ require_approval: true });
    const rejected = await carol().get(`${KILN}/transition-requests`, {
      name: MODEL,
      status: 'REJECTED',
    });
    expect(rejected.body.requests.map((r: { id: string }) => r.id)).toEqual([id]);
    const bad = await carol().get(`${KILN}/transition-requests`, { name: MODEL, status: 'nope' });
    expect(bad.status).toBe(400);
  });

  it('lets MANAGE users and admins transition directly', async () => {
    const byOwner = await alice().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '2',
      stage: 'Staging',
    });
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.pending_request).toBeUndefined();
    expect(byOwner.body.model_version.current_stage).toBe('Staging');
    const byAdmin = await admin().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '3',
      stage: 'Archived',
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.pending_request).toBeUndefined();
    expect(await stageOf('3')).toBe('Archived');
  });

  it('keeps a pending request pending when its version is gone at approval', async () => {
    const asked = await bob().post(`${API}/model-versions/transition-stage`, {
      name: MODEL,
      version: '3',
      stage: 'Staging',
    });
    const id = asked.body.pending_request.id as string;
    const deleted = await alice().call('DELETE', `${API}/model-versions/delete`, {
      name: MODEL,
      version: '3',
    });
    expect(deleted.status).toBe(200);
    const res = await alice().post(`${KILN}/transition-requests/approve`, { id });
    expect(res.status).toBe(404);
    const pending = await carol().get(`${KILN}/transition-requests`, {
      name: MODEL,
      status: 'PENDING',
    });
    expect(pending.body.requests.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await alice().post(`${KILN}/transition-requests/reject`, { id })).status).toBe(200);
  });

  it('follows a rename, and moves EDIT transitions directly once turned off', async () => {
    const renamed = await bob().post(`${API}/registered-models/rename`, {
      name: MODEL,
      new_name: `${MODEL}-renamed`,
    });
    expect(renamed.status).toBe(200);
    const asked = await bob().post(`${API}/model-versions/transition-stage`, {
      name: `${MODEL}-renamed`,
      version: '2',
      stage: 'Production',
    });
    expect(asked.status).toBe(200);
    expect(asked.body.pending_request).toMatchObject({ name: `${MODEL}-renamed` });
    const list = await carol().get(`${KILN}/transition-requests`, { name: `${MODEL}-renamed` });
    expect(list.body.requests).toHaveLength(4);

    await requireApproval(false, `${MODEL}-renamed`);
    const direct = await bob().post(`${API}/model-versions/transition-stage`, {
      name: `${MODEL}-renamed`,
      version: '2',
      stage: 'Production',
    });
    expect(direct.status).toBe(200);
    expect(direct.body.pending_request).toBeUndefined();
    expect(direct.body.model_version.current_stage).toBe('Production');
  });

  it('drops the setting and cancels pending requests with the model', async () => {
    const name = `${MODEL}-renamed`;
    await requireApproval(true, name);
    const asked = await bob().post(`${API}/model-versions/transition-stage`, {
      name,
      version: '1',
      stage: 'Archived',
    });
    expect(asked.body.pending_request.status).toBe('PENDING');
    const id = asked.body.pending_request.id as string;
    expect((await alice().call('DELETE', `${API}/registered-models/delete`, { name })).status).toBe(
      200,
    );
    const again = await admin().post(`${API}/registered-models/create`, { name });
    expect(again.status).toBe(200);
    const list = await admin().get(`${KILN}/transition-requests`, { name });
    expect(list.body.require_approval).toBe(false);
    expect(list.body.requests.find((r: { id: string }) => r.id === id)).toMatchObject({
      status: 'CANCELLED',
    });
  });
});
