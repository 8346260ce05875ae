import { expectError, startKiln, type TestKiln } from 'test/support/kiln';

const API = '/api/2.0/mlflow';
let kiln: TestKiln;
let experimentId: string;
let runId: string;
let artifactUri: string;

beforeAll(async () => {
  kiln = await startKiln();
  experimentId = (await kiln.post(`${API}/experiments/create`, { name: 'mv-test' })).body
    .experiment_id;
  const run = await kiln.post(`${API}/runs/create`, { experiment_id: experimentId });
  runId = run.body.run.info.run_id;
  artifactUri = run.body.run.info.artifact_uri;
});
afterAll(() => kiln.stop());

async function createModel(name: string) {
  expect((await kiln.post(`${API}/registered-models/create`, { name })).status).toBe(200);
}

async function createVersion(name: string, extra: Record<string, unknown> = {}) {
  const res = await kiln.post(`${API}/model-versions/create`, {
    name,
    source: `runs:/${runId}/model`,
    run_id: runId,
    ...extra,
  });
  expect(res.status).toBe(200);
  return res.body.model_version;
}

async function getVersion(name: string, version: string) {
  const res = await kiln.get(`${API}/model-versions/get`, { name, version });
  expect(res.status).toBe(200);
  return res.body.model_version;
}

function transition(name: string, version: string, stage: string, archive = false) {
  return kiln.post(`${API}/model-versions/transition-stage`, {
    name,
    version,
    stage,
    archive_existing_versions: archive,
  });
}

describe('model versions', () => {
  it('creates a version from a run as MLflow answers, and bumps the model', async () => {
    await createModel('mv-create');
    const before = (await kiln.get(`${API}/registered-models/get`, { name: 'mv-create' })).body
      .registered_model;
    const version = await createVersion('mv-create', { tags: [{ key: 'k', value: 'v' }] });
    expect(version).toEqual({
      name: 'mv-create',
      version: '1',
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: version.creation_timestamp,
      current_stage: 'None',
      description: '',
      source: `runs:/${runId}/model`,
      run_id: runId,
      status: 'READY',
      tags: [{ key: 'k', value: 'v' }],
      run_link: '',
    });
    const after = (await kiln.get(`${API}/registered-models/get`, { name: 'mv-create' })).body
      .registered_model;
    expect(after.last_updated_timestamp).toBe(version.creation_timestamp);
    expect(after.last_updated_timestamp).toBeGreaterThanOrEqual(before.last_updated_timestamp);
    expect(await getVersion('mv-create', '1')).toEqual(version);
  });

  it('records the run of a runs:/ source given without run_id', async () => {
    await createModel('mv-runs-uri');
    const res = await kiln.post(`${API}/model-versions/create`, {
      name: 'mv-runs-uri',
      source: `runs:/${runId}/model`,
    });
    expect(res.body.model_version.run_id).toBe(runId);
  });

  it('numbers versions max + 1 and never reuses a deleted number', async () => {
    await createModel('mv-numbers');
    for (let i = 0; i < 3; i++) await createVersion('mv-numbers');
    const del = await kiln.call('DELETE', `${API}/model-versions/delete`, {
      name: 'mv-numbers',
      version: '3',
    });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expectError(
      await kiln.get(`${API}/model-versions/get`, { name: 'mv-numbers', version: '3' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await createVersion('mv-numbers')).version).toBe('4');
    expectError(
      await kiln.call('DELETE', `${API}/model-versions/delete`, {
        name: 'mv-numbers',
        version: '3',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('numbers concurrent creates without gaps or clashes', async () => {
    await createModel('mv-parallel');
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        kiln.post(`${API}/model-versions/create`, { name: 'mv-parallel', source: 's3://b/m' }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
    const numbers = replies.map((r) => Number(r.body.model_version.version)).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('deleting a version removes the aliases pointing at it', async () => {
    await createModel('mv-delete-alias');
    await createVersion('mv-delete-alias');
    await createVersion('mv-delete-alias');
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'mv-delete-alias',
      alias: 'champion',
      version: '1',
    });
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'mv-delete-alias',
      alias: 'other',
      version: '2',
    });
    await kiln.call('DELETE', `${API}/model-versions/delete`, {
      name: 'mv-delete-alias',
      version: '1',
    });
    const model = (await kiln.get(`${API}/registered-models/get`, { name: 'mv-delete-alias' })).body
      .registered_model;
    expect(model.aliases).toEqual([{ alias: 'other', version: '2' }]);
    expect(model.latest_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
    expectError(
      await kiln.get(`${API}/registered-models/alias`, {
        name: 'mv-delete-alias',
        alias: 'champion',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('answers MLflow errors for unknown models and versions', async () => {
    await createModel('mv-errors');
    await createVersion('mv-errors');
    expectError(
      await kiln.get(`${API}/model-versions/get`, { name: 'mv-errors', version: '99' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.get(`${API}/model-versions/get`, { name: 'mv-nope', version: '1' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.get(`${API}/model-versions/get`, { name: 'mv-errors', version: 'abc' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await kiln.get(`${API}/model-versions/get`, { name: 'mv-errors', version: '99999999999' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.post(`${API}/model-versions/create`, { name: 'mv-nope', source: 's3://b/m' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.post(`${API}/model-versions/create`, { name: 'mv-errors' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await kiln.call('PATCH', `${API}/model-versions/update`, {
        name: 'mv-errors',
        version: '99',
        description: 'x',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('updates the description with PATCH', async () => {
    await createModel('mv-update');
    const created = await createVersion('mv-update');
    await new Promise((r) => setTimeout(r, 5));
    const res = await kiln.call('PATCH', `${API}/model-versions/update`, {
      name: 'mv-update',
      version: '1',
      description: 'better',
    });
    expect(res.status).toBe(200);
    expect(res.body.model_version.description).toBe('better');
    expect(res.body.model_version.last_updated_timestamp).toBeGreaterThan(
      created.last_updated_timestamp,
    );
  });

  it('sets and deletes version tags; a null value is refused', async () => {
    await createModel('mv-tags');
    await createVersion('mv-tags');
    const set = await kiln.post(`${API}/model-versions/set-tag`, {
      name: 'mv-tags',
      version: '1',
      key: 'validated',
      value: 'true',
    });
    expect(set.status).toBe(200);
    expect((await getVersion('mv-tags', '1')).tags).toEqual([{ key: 'validated', value: 'true' }]);
    expectError(
      await kiln.post(`${API}/model-versions/set-tag`, { name: 'mv-tags', version: '1', key: 'k' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await kiln.post(`${API}/model-versions/set-tag`, {
        name: 'mv-tags',
        version: '9',
        key: 'k',
        value: 'v',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    for (let i = 0; i < 2; i++) {
      const del = await kiln.call('DELETE', `${API}/model-versions/delete-tag`, {
        name: 'mv-tags',
        version: '1',
        key: 'validated',
      });
      expect(del.status).toBe(200);
    }
    expect((await getVersion('mv-tags', '1')).tags).toBeUndefined();
  });

  it('refuses local sources outside a run and relative references', async () => {
    await createModel('mv-source');
    for (const source of ['/tmp/model', 'file:///etc/passwd', 'model']) {
      expectError(
        await kiln.post(`${API}/model-versions/create`, {
          name: 'mv-source',
          source,
          run_id: runId,
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    }
    for (const source of [
      's3://bucket/a/../b',
      'mlflow-artifacts:/0/%2E%2E/secret',
      'https://host/x/..%2F..%2Fy',
    ]) {
      expectError(
        await kiln.post(`${API}/model-versions/create`, { name: 'mv-source', source }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    }
    const ok = await kiln.post(`${API}/model-versions/create`, {
      name: 'mv-source',
      source: 's3://bucket/models/m1',
    });
    expect(ok.status).toBe(200);
  });
});

describe('stages', () => {
  beforeAll(async () => {
    await createModel('mv-stages');
    for (let i = 0; i < 3; i++) await createVersion('mv-stages');
  });

  it('moves a version between stages, in any case, and bumps timestamps', async () => {
    const before = await getVersion('mv-stages', '1');
    await new Promise((r) => setTimeout(r, 5));
    const res = await transition('mv-stages', '1', 'staging');
    expect(res.status).toBe(200);
    expect(res.body.model_version).toMatchObject({ version: '1', current_stage: 'Staging' });
    expect(res.body.model_version.last_updated_timestamp).toBeGreaterThan(
      before.last_updated_timestamp,
    );
    const model = (await kiln.get(`${API}/registered-models/get`, { name: 'mv-stages' })).body
      .registered_model;
    expect(model.last_updated_timestamp).toBe(res.body.model_version.last_updated_timestamp);
  });

  it('archives the other versions of the target stage when asked', async () => {
    await transition('mv-stages', '1', 'Production');
    await transition('mv-stages', '2', 'Production');
    const res = await transition('mv-stages', '3', 'PRODUCTION', true);
    expect(res.status).toBe(200);
    const [v1, v2, v3] = await Promise.all(['1', '2', '3'].map((v) => getVersion('mv-stages', v)));
    expect([v1.current_stage, v2.current_stage, v3.current_stage]).toEqual([
      'Archived',
      'Archived',
      'Production',
    ]);
    expect(v1.last_updated_timestamp).toBe(v3.last_updated_timestamp);
  });

  it('refuses unknown stages, archiving for inactive stages, unknown versions', async () => {
    expectError(await transition('mv-stages', '1', 'Foo'), 400, 'INVALID_PARAMETER_VALUE');
    expectError(
      await transition('mv-stages', '1', 'Archived', true),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await transition('mv-stages', '1', 'None', true), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await transition('mv-stages', '99', 'Staging'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(
      await kiln.post(`${API}/model-versions/transition-stage`, {
        name: 'mv-stages',
        version: '1',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('treats archive_existing_versions as optional (default false)', async () => {
    const res = await kiln.post(`${API}/model-versions/transition-stage`, {
      name: 'mv-stages',
      version: '2',
      stage: 'Staging',
    });
    expect(res.status).toBe(200);
    expect(res.body.model_version.current_stage).toBe('Staging');
  });
});

describe('download URI', () => {
  it('answers runs:/ and other sources as MLflow does (the client resolves runs:/)', async () => {
    await createModel('mv-download');
    await createVersion('mv-download');
    await kiln.post(`${API}/model-versions/create`, {
      name: 'mv-download',
      source: 's3://bucket/models/m1',
    });
    await kiln.post(`${API}/model-versions/create`, {
      name: 'mv-download',
      source: 'runs:/0123456789abcdef0123456789abcdef/model',
    });
    const uri = async (version: string) =>
      (await kiln.get(`${API}/model-versions/get-download-uri`, { name: 'mv-download', version }))
        .body.artifact_uri;
    expect(await uri('1')).toBe(`runs:/${runId}/model`);
    expect(await uri('2')).toBe('s3://bucket/models/m1');
    expect(await uri('3')).toBe('runs:/0123456789abcdef0123456789abcdef/model');
    expectError(
      await kiln.get(`${API}/model-versions/get-download-uri`, {
        name: 'mv-download',
        version: '9',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('resolves a models:/ source to the files of the version it names', async () => {
    await createModel('mv-copy');
    await createModel('mv-origin');
    await createVersion('mv-origin');
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'mv-origin',
      alias: 'champion',
      version: '1',
    });
    for (const source of ['models:/mv-origin/1', 'models:/mv-origin@champion']) {
      const created = await kiln.post(`${API}/model-versions/create`, { name: 'mv-copy', source });
      expect(created.status).toBe(200);
      expect(created.body.model_version.source).toBe(source);
      const res = await kiln.get(`${API}/model-versions/get-download-uri`, {
        name: 'mv-copy',
        version: created.body.model_version.version,
      });
      expect(res.body.artifact_uri).toBe(`${artifactUri}/model`);
    }
    expectError(
      await kiln.post(`${API}/model-versions/create`, {
        name: 'mv-copy',
        source: 'models:/mv-origin/7',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });
  it('resolves a models:/<model_id> source to the logged model and its run (MLflow 3)', async () => {
    const logged = await kiln.post(`${API}/logged-models`, {
      experiment_id: experimentId,
      name: 'lm',
      source_run_id: runId,
    });
    expect(logged.status).toBe(200);
    const modelId: string = logged.body.model.info.model_id;
    await createModel('mv-logged');
    const created = await kiln.post(`${API}/model-versions/create`, {
      name: 'mv-logged',
      source: `models:/${modelId}`,
    });
    expect(created.status).toBe(200);
    expect(created.body.model_version).toMatchObject({ run_id: runId, model_id: modelId });
    const res = await kiln.get(`${API}/model-versions/get-download-uri`, {
      name: 'mv-logged',
      version: '1',
    });
    expect(res.body.artifact_uri).toBe(logged.body.model.info.artifact_uri);
    expectError(
      await kiln.post(`${API}/model-versions/create`, {
        name: 'mv-logged',
        source: 'models:/m-00000000000000000000000000000000',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });
});

describe('search', () => {
  beforeAll(async () => {
    await createModel('search-a');
    await createModel('search-b');
    for (let i = 0; i < 3; i++)
      await createVersion('search-a', { tags: [{ key: 'i', value: `${i}` }] });
    await createVersion('search-b');
    await transition('search-a', '3', 'Production');
  });

  async function names(query: Record<string, string | string[]>) {
    const res = await kiln.get(`${API}/model-versions/search`, query);
    expect(res.status).toBe(200);
    return {
      versions: (res.body.model_versions ?? []).map(
        (v: { name: string; version: string }) => `${v.name}/${v.version}`,
      ),
      token: res.body.next_page_token as string | undefined,
    };
  }

  it('filters by name, version_number, run_id and tags', async () => {
    expect((await names({ filter: "name = 'search-a'" })).versions).toEqual([
      'search-a/3',
      'search-a/2',
      'search-a/1',
    ]);
    expect(
      (await names({ filter: "name LIKE 'search-%' and version_number >= 2" })).versions,
    ).toEqual(['search-a/3', 'search-a/2']);
    expect((await names({ filter: "tags.i = '1'" })).versions).toEqual(['search-a/2']);
    expect((await names({ filter: `run_id = '${runId}' and name = 'search-b'` })).versions).toEqual(
      ['search-b/1'],
    );
  });

  it('orders and pages', async () => {
    const order = ['name ASC', 'version_number ASC'];
    const filter = "name LIKE 'search-%'";
    const first = await names({ filter, order_by: order, max_results: '3' });
    expect(first.versions).toEqual(['search-a/1', 'search-a/2', 'search-a/3']);
    expect(first.token).toBeDefined();
    const second = await names({
      filter,
      order_by: order,
      max_results: '3',
      page_token: first.token!,
    });
    expect(second).toEqual({ versions: ['search-b/1'], token: undefined });
    const exact = await names({ filter, max_results: '4' });
    expect(exact.token).toBeUndefined();
  });

  it('answers bad input with 400', async () => {
    for (const query of <Record<string, string>[]>[
      { filter: "foo = 'x'" },
      { filter: "run_id NOT IN ('a')" },
      { filter: "name = 'a' OR name = 'b'" },
      { filter: "version_number = 'abc'" },
      { max_results: '200001' },
      { max_results: '0' },
      { max_results: 'abc' },
      { order_by: 'bogus' },
      { page_token: 'notatoken' },
    ]) {
      expectError(
        await kiln.get(`${API}/model-versions/search`, query),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    }
  });

  it('searches registered models with filters, order and pages', async () => {
    const search = async (query: Record<string, string | string[]>) => {
      const res = await kiln.get(`${API}/registered-models/search`, query);
      expect(res.status).toBe(200);
      return res.body;
    };
    const page1 = await search({ filter: "name LIKE 'search-%'", max_results: '1' });
    expect(page1.registered_models.map((m: { name: string }) => m.name)).toEqual(['search-a']);
    expect(
      page1.registered_models[0].latest_versions.map((v: { version: string }) => v.version),
    ).toEqual(['2', '3']);
    const page2 = await search({
      filter: "name LIKE 'search-%'",
      max_results: '1',
      page_token: page1.next_page_token,
    });
    expect(page2.registered_models.map((m: { name: string }) => m.name)).toEqual(['search-b']);
    expect(page2.next_page_token).toBeUndefined();
    const desc = await search({ filter: "name ILIKE 'SEARCH-%'", order_by: ['name DESC'] });
    expect(desc.registered_models.map((m: { name: string }) => m.name)).toEqual([
      'search-b',
      'search-a',
    ]);
    expect(await search({ filter: "name = 'nothing'" })).toEqual({});
    for (const query of <Record<string, string>[]>[
      { filter: "foo = 'x'" },
      { filter: 'name = 1' },
      { filter: "name IN ('a')" },
      { max_results: '1001' },
      { order_by: 'creation_timestamp ASC' },
      { page_token: 'notatoken' },
    ]) {
      expectError(
        await kiln.get(`${API}/registered-models/search`, query),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    }
  });
});
