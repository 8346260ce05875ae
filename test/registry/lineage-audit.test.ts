import { expectError, startKiln, type TestKiln } from 'test/support/kiln';

const API = '/api/2.0/mlflow';
const KILN = '/api/2.0/kiln';
let kiln: TestKiln;
let experimentId: string;
let runId: string;
let artifactUri: string;

beforeAll(async () => {
  kiln = await startKiln();
  experimentId = (await kiln.post(`${API}/experiments/create`, { name: 'lineage-exp' })).body
    .experiment_id;
  const run = await kiln.post(`${API}/runs/create`, {
    experiment_id: experimentId,
    run_name: 'train',
    tags: [
      { key: 'mlflow.source.git.commit', value: '3f2a9c1e' },
      { key: 'mlflow.source.name', value: 'train.py' },
    ],
  });
  runId = run.body.run.info.run_id;
  artifactUri = run.body.run.info.artifact_uri;
  await kiln.post(`${API}/runs/log-batch`, {
    run_id: runId,
    params: [{ key: 'lr', value: '0.01' }],
    metrics: [{ key: 'auc', value: 0.91, timestamp: 1700000000000, step: 3 }],
  });
  await kiln.post(`${API}/runs/log-inputs`, {
    run_id: runId,
    datasets: [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: { name: 'churn', digest: 'abc123', source_type: 'local', source: '{}' },
      },
    ],
  });
  await kiln.post(`${API}/registered-models/create`, { name: 'lineage-model' });
  await kiln.post(`${API}/model-versions/create`, {
    name: 'lineage-model',
    source: `runs:/${runId}/model`,
    run_id: runId,
  });
});
afterAll(() => kiln.stop());

describe('lineage', () => {
  it('returns version, run, code version, datasets and experiment in one call', async () => {
    const res = await kiln.get(`${KILN}/model-versions/lineage`, {
      name: 'lineage-model',
      version: '1',
    });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.model_version).toMatchObject({
      name: 'lineage-model',
      version: '1',
      run_id: runId,
    });
    expect(body.artifact_uri).toBe(`${artifactUri}/model`);
    expect(body.run_id).toBe(runId);
    expect(body.run.info).toMatchObject({ run_id: runId, experiment_id: experimentId });
    expect(body.run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(body.run.data.metrics).toEqual([
      { key: 'auc', value: 0.91, timestamp: 1700000000000, step: 3 },
    ]);
    expect(body.source_code).toEqual({ git_commit: '3f2a9c1e', source_name: 'train.py' });
    expect(body.datasets).toEqual([
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: { name: 'churn', digest: 'abc123', source_type: 'local', source: '{}' },
      },
    ]);
    expect(body.experiment).toMatchObject({ experiment_id: experimentId, name: 'lineage-exp' });
  });

  it('records the run of a runs:/ source even without run_id, and copes without a run', async () => {
    await kiln.post(`${API}/model-versions/create`, {
      name: 'lineage-model',
      source: `runs:/${runId}/other`,
    });
    const withRun = await kiln.get(`${KILN}/model-versions/lineage`, {
      name: 'lineage-model',
      version: '2',
    });
    expect(withRun.body.run.info.run_id).toBe(runId);
    expect(withRun.body.artifact_uri).toBe(`${artifactUri}/other`);
    await kiln.post(`${API}/model-versions/create`, {
      name: 'lineage-model',
      source: 's3://bucket/elsewhere',
    });
    const without = await kiln.get(`${KILN}/model-versions/lineage`, {
      name: 'lineage-model',
      version: '3',
    });
    expect(without.status).toBe(200);
    expect(without.body).toEqual({
      model_version: expect.objectContaining({ version: '3' }),
      artifact_uri: 's3://bucket/elsewhere',
    });
  });

  it('answers 404 for an unknown version, 400 for missing fields', async () => {
    expectError(
      await kiln.get(`${KILN}/model-versions/lineage`, { name: 'lineage-model', version: '42' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.get(`${KILN}/model-versions/lineage`, { name: 'lineage-model' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });
});

describe('models:/ URIs', () => {
  beforeAll(async () => {
    await kiln.post(`${API}/registered-models/create`, { name: 'uri-model' });
    for (let i = 0; i < 3; i++) {
      await kiln.post(`${API}/model-versions/create`, {
        name: 'uri-model',
        source: `runs:/${runId}/m${i + 1}`,
      });
    }
    await kiln.post(`${API}/model-versions/transition-stage`, {
      name: 'uri-model',
      version: '2',
      stage: 'Production',
    });
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'uri-model',
      alias: 'champion',
      version: '1',
    });
  });

  it.each([
    ['models:/uri-model/1', '1'],
    ['models:/uri-model/production', '2'],
    ['models:/uri-model/Latest', '3'],
    ['models:/uri-model@champion', '1'],
  ])('resolves %s', async (uri, version) => {
    const res = await kiln.get(`${KILN}/model-versions/resolve`, { uri });
    expect(res.status).toBe(200);
    expect(res.body.model_version.version).toBe(version);
    expect(res.body.artifact_uri).toBe(`${artifactUri}/m${version}`);
  });

  it.each([
    ['models:/uri-model/Staging', 404, 'RESOURCE_DOES_NOT_EXIST'],
    ['models:/uri-model/Bogus', 400, 'INVALID_PARAMETER_VALUE'],
    ['models:/uri-model@nope', 400, 'INVALID_PARAMETER_VALUE'],
    ['models:/', 400, 'INVALID_PARAMETER_VALUE'],
    ['runs:/abc/model', 400, 'INVALID_PARAMETER_VALUE'],
  ])('refuses %s', async (uri, status, code) => {
    expectError(await kiln.get(`${KILN}/model-versions/resolve`, { uri }), status, code);
  });
});

describe('audit trail', () => {
  beforeAll(async () => {
    await kiln.post(`${API}/registered-models/create`, { name: 'audit-model' });
    for (let i = 0; i < 2; i++) {
      await kiln.post(`${API}/model-versions/create`, {
        name: 'audit-model',
        source: `runs:/${runId}/model`,
      });
    }
    const move = (version: string, stage: string, extra: Record<string, unknown> = {}) =>
      kiln.post(`${API}/model-versions/transition-stage`, {
        name: 'audit-model',
        version,
        stage,
        ...extra,
      });
    await move('1', 'Production', { comment: 'first release' });
    await move('2', 'staging');
    await move('2', 'Production', { archive_existing_versions: true });
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'audit-model',
      alias: 'champion',
      version: '1',
      comment: 'pin v1',
    });
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'audit-model',
      alias: 'champion',
      version: '2',
    });
    await kiln.call('DELETE', `${API}/registered-models/alias`, {
      name: 'audit-model',
      alias: 'champion',
    });
    // Deleting an alias that is not set changes nothing and records nothing.
    await kiln.call('DELETE', `${API}/registered-models/alias`, {
      name: 'audit-model',
      alias: 'champion',
    });
  });

  async function events(path: string, query: Record<string, string>) {
    const res = await kiln.get(`${KILN}/${path}`, query);
    expect(res.status).toBe(200);
    return res.body.events as Record<string, unknown>[];
  }

  const strip = (list: Record<string, unknown>[]) =>
    list.map(({ id: _id, timestamp: _timestamp, user_id: _user, ...rest }) => rest);

  it('lists a model’s stage transitions and alias changes in order, with who and when', async () => {
    const list = await events('registered-models/audit', { name: 'audit-model' });
    expect(strip(list)).toEqual([
      {
        action: 'TRANSITION_STAGE',
        name: 'audit-model',
        version: '1',
        from_stage: 'None',
        to_stage: 'Production',
        comment: 'first release',
      },
      {
        action: 'TRANSITION_STAGE',
        name: 'audit-model',
        version: '2',
        from_stage: 'None',
        to_stage: 'Staging',
      },
      {
        action: 'TRANSITION_STAGE',
        name: 'audit-model',
        version: '1',
        from_stage: 'Production',
        to_stage: 'Archived',
        comment: 'Archived by the transition of version 2 to Production.',
      },
      {
        action: 'TRANSITION_STAGE',
        name: 'audit-model',
        version: '2',
        from_stage: 'Staging',
        to_stage: 'Production',
      },
      {
        action: 'SET_ALIAS',
        name: 'audit-model',
        version: '1',
        alias: 'champion',
        to_version: '1',
        comment: 'pin v1',
      },
      {
        action: 'SET_ALIAS',
        name: 'audit-model',
        version: '2',
        alias: 'champion',
        from_version: '1',
        to_version: '2',
      },
      {
        action: 'DELETE_ALIAS',
        name: 'audit-model',
        version: '2',
        alias: 'champion',
        from_version: '2',
      },
    ]);
    for (const event of list) {
      expect(typeof event.user_id).toBe('string');
      expect(Math.abs((event.timestamp as number) - Date.now())).toBeLessThan(60_000);
    }
    const ids = list.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('lists one version’s events, including an alias moved away from it', async () => {
    const list = await events('model-versions/audit', { name: 'audit-model', version: '1' });
    expect(list.map((e) => `${e.action}:${e.from_stage ?? e.from_version ?? ''}`)).toEqual([
      'TRANSITION_STAGE:None',
      'TRANSITION_STAGE:Production',
      'SET_ALIAS:',
      'SET_ALIAS:1',
    ]);
  });

  it('pages with max_results and page_token', async () => {
    const first = await kiln.get(`${KILN}/registered-models/audit`, {
      name: 'audit-model',
      max_results: '5',
    });
    expect(first.body.events).toHaveLength(5);
    const second = await kiln.get(`${KILN}/registered-models/audit`, {
      name: 'audit-model',
      max_results: '5',
      page_token: first.body.next_page_token,
    });
    expect(second.body.events).toHaveLength(2);
    expect(second.body.next_page_token).toBeUndefined();
  });

  it('keeps the history through a rename and after deletion', async () => {
    await kiln.call('DELETE', `${API}/model-versions/delete`, {
      name: 'audit-model',
      version: '2',
      comment: 'bad build',
    });
    await kiln.post(`${API}/registered-models/rename`, {
      name: 'audit-model',
      new_name: 'audit-renamed',
    });
    const renamed = await events('registered-models/audit', { name: 'audit-renamed' });
    expect(renamed).toHaveLength(9);
    expect(strip(renamed.slice(-2))).toEqual([
      {
        action: 'DELETE_MODEL_VERSION',
        name: 'audit-renamed',
        version: '2',
        from_stage: 'Production',
        comment: 'bad build',
      },
      {
        action: 'RENAME_REGISTERED_MODEL',
        name: 'audit-renamed',
        from_name: 'audit-model',
        to_name: 'audit-renamed',
      },
    ]);
    const deletedVersion = await events('model-versions/audit', {
      name: 'audit-renamed',
      version: '2',
    });
    expect(deletedVersion.at(-1)?.action).toBe('DELETE_MODEL_VERSION');
    await kiln.call('DELETE', `${API}/registered-models/delete`, { name: 'audit-renamed' });
    const afterDelete = await events('registered-models/audit', { name: 'audit-renamed' });
    expect(afterDelete.at(-1)?.action).toBe('DELETE_REGISTERED_MODEL');
  });

  it('answers 404 for a model or version with no history, 400 for a bad version', async () => {
    expectError(
      await kiln.get(`${KILN}/registered-models/audit`, { name: 'never-existed' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.get(`${KILN}/model-versions/audit`, { name: 'lineage-model', version: '77' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.get(`${KILN}/model-versions/audit`, { name: 'lineage-model', version: 'x' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const quiet = await kiln.get(`${KILN}/model-versions/audit`, {
      name: 'lineage-model',
      version: '1',
    });
    expect(quiet.status).toBe(200);
    expect(quiet.body).toEqual({});
  });
});

describe('OpenAPI', () => {
  it('documents the promotion routes with examples', async () => {
    const res = await kiln.get('/docs/openapi.json');
    expect(res.status).toBe(200);
    const doc = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
    const transition = doc.paths['/api/2.0/mlflow/model-versions/transition-stage'].post;
    expect(transition.summary).toMatch(/stage/i);
    const examples = transition.requestBody.content['application/json'].examples;
    expect(examples.promote.value).toMatchObject({ stage: 'Production' });
    const alias = doc.paths['/api/2.0/mlflow/registered-models/alias'];
    expect(
      alias.post.requestBody.content['application/json'].examples.champion.value,
    ).toMatchObject({ alias: 'champion' });
    expect(alias.delete.requestBody).toBeDefined();
    expect(doc.paths['/api/2.0/kiln/model-versions/audit'].get).toBeDefined();
    expect(doc.paths['/api/2.0/kiln/model-versions/lineage'].get).toBeDefined();
  });
});
