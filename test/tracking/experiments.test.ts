import { startKiln, type TestKiln } from 'test/support/kiln';

const API = '/api/2.0/mlflow';
let kiln: TestKiln;

beforeAll(async () => {
  kiln = await startKiln();
});
afterAll(() => kiln.stop());

describe('experiments', () => {
  it('has the Default experiment 0 from the first start', async () => {
    const res = await kiln.get(`${API}/experiments/get`, { experiment_id: '0' });
    expect(res.status).toBe(200);
    expect(res.body.experiment).toMatchObject({
      experiment_id: '0',
      name: 'Default',
      artifact_location: 'mlflow-artifacts:/0',
      lifecycle_stage: 'active',
    });
  });

  it('creates, finds by name, tags, renames, deletes and restores', async () => {
    const created = await kiln.post(`${API}/experiments/create`, {
      name: 'lifecycle',
      tags: [{ key: 'team', value: 'vision' }],
    });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id;
    expect(id).toMatch(/^\d+$/);

    const byName = await kiln.get(`${API}/experiments/get-by-name`, {
      experiment_name: 'lifecycle',
    });
    expect(byName.body.experiment).toMatchObject({
      experiment_id: id,
      artifact_location: `mlflow-artifacts:/${id}`,
      tags: [{ key: 'team', value: 'vision' }],
    });

    await kiln.post(`${API}/experiments/set-experiment-tag`, {
      experiment_id: id,
      key: 'k',
      value: 'v',
    });
    await kiln.post(`${API}/experiments/delete-experiment-tag`, { experiment_id: id, key: 'team' });
    const absent = await kiln.post(`${API}/experiments/delete-experiment-tag`, {
      experiment_id: id,
      key: 'team',
    });
    expect(absent.status).toBe(404);

    expect(
      (await kiln.post(`${API}/experiments/update`, { experiment_id: id, new_name: 'renamed' }))
        .status,
    ).toBe(200);
    const run = await kiln.post(`${API}/runs/create`, { experiment_id: id });
    const runId = run.body.run.info.run_id;

    expect((await kiln.post(`${API}/experiments/delete`, { experiment_id: id })).status).toBe(200);
    const deletedRun = await kiln.get(`${API}/runs/get`, { run_id: runId });
    expect(deletedRun.body.run.info.lifecycle_stage).toBe('deleted');
    const again = await kiln.post(`${API}/experiments/delete`, { experiment_id: id });
    expect(again.status).toBe(404);
    // The name of a deleted experiment stays taken, as in MLflow.
    const clash = await kiln.post(`${API}/experiments/create`, { name: 'renamed' });
    expect(clash.status).toBe(400);
    expect(clash.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    const blocked = await kiln.post(`${API}/runs/create`, { experiment_id: id });
    expect(blocked.status).toBe(400);

    expect((await kiln.post(`${API}/experiments/restore`, { experiment_id: id })).status).toBe(200);
    const restoredRun = await kiln.get(`${API}/runs/get`, { run_id: runId });
    expect(restoredRun.body.run.info.lifecycle_stage).toBe('active');
    const got = await kiln.get(`${API}/experiments/get`, { experiment_id: id });
    expect(got.body.experiment).toMatchObject({
      name: 'renamed',
      tags: [{ key: 'k', value: 'v' }],
    });
  });

  it('answers bad requests with MLflow error shapes', async () => {
    const noName = await kiln.post(`${API}/experiments/create`, {});
    expect(noName.status).toBe(400);
    expect(noName.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    });
    const wrongType = await kiln.call('POST', `${API}/experiments/create`, '{"name": "x"}', {
      'content-type': 'text/plain',
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const notObject = await kiln.call('POST', `${API}/experiments/create`, '[1, 2]');
    expect(notObject.status).toBe(400);
    const unknown = await kiln.get(`${API}/experiments/get`, { experiment_id: '999999' });
    expect(unknown.status).toBe(404);
    const wrongVerb = await kiln.get(`${API}/experiments/create`, { name: 'x' });
    expect(wrongVerb.status).toBe(405);
    const noRoute = await kiln.get(`${API}/no-such-endpoint`);
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('searches with view types, filters and pages', async () => {
    for (const name of ['search-a', 'search-b', 'search-c']) {
      await kiln.post(`${API}/experiments/create`, { name });
    }
    const page1 = await kiln.post(`${API}/experiments/search`, {
      filter: "name LIKE 'search-%'",
      order_by: ['name ASC'],
      max_results: 2,
    });
    expect(page1.body.experiments.map((e: { name: string }) => e.name)).toEqual([
      'search-a',
      'search-b',
    ]);
    const page2 = await kiln.post(`${API}/experiments/search`, {
      filter: "name LIKE 'search-%'",
      order_by: ['name ASC'],
      max_results: 2,
      page_token: page1.body.next_page_token,
    });
    expect(page2.body.experiments.map((e: { name: string }) => e.name)).toEqual(['search-c']);
    expect(page2.body.next_page_token).toBeUndefined();
    const viaGet = await kiln.get(`${API}/experiments/search`, { max_results: '1000' });
    expect(viaGet.status).toBe(200);
    const bad = await kiln.post(`${API}/experiments/search`, { filter: 'name = 1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('serves health, readiness and version', async () => {
    const health = await kiln.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toBe('OK');
    expect((await kiln.get('/version')).status).toBe(200);
    const ready = await kiln.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toBe('OK');
  });
});
