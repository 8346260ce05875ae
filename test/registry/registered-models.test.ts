import { expectError, startKiln, type TestKiln } from 'test/support/kiln';

const API = '/api/2.0/mlflow';
let kiln: TestKiln;

beforeAll(async () => {
  kiln = await startKiln();
});
afterAll(() => kiln.stop());

async function createModel(name: string, extra: Record<string, unknown> = {}) {
  const res = await kiln.post(`${API}/registered-models/create`, { name, ...extra });
  expect(res.status).toBe(200);
  return res.body.registered_model;
}

async function createVersion(name: string, source = 'mlflow-artifacts:/0/abc/artifacts/model') {
  const res = await kiln.post(`${API}/model-versions/create`, { name, source });
  expect(res.status).toBe(200);
  return res.body.model_version;
}

async function getModel(name: string) {
  const res = await kiln.get(`${API}/registered-models/get`, { name });
  expect(res.status).toBe(200);
  return res.body.registered_model;
}

describe('registered models', () => {
  it('creates a model with tags and a description, as MLflow answers', async () => {
    const model = await createModel('rm-create', {
      tags: [
        { key: 'k', value: 'v' },
        { key: 'k', value: 'last wins' },
      ],
      description: 'smoke',
    });
    expect(model).toEqual({
      name: 'rm-create',
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: model.creation_timestamp,
      description: 'smoke',
      tags: [{ key: 'k', value: 'last wins' }],
    });
    expect(Math.abs(model.creation_timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('leaves out an unset description and empty lists', async () => {
    const model = await createModel('rm-bare');
    expect(Object.keys(model).sort()).toEqual([
      'creation_timestamp',
      'last_updated_timestamp',
      'name',
    ]);
  });

  it('refuses a duplicate name and an empty name', async () => {
    await createModel('rm-dup');
    expectError(
      await kiln.post(`${API}/registered-models/create`, { name: 'rm-dup' }),
      400,
      'RESOURCE_ALREADY_EXISTS',
    );
    expectError(
      await kiln.post(`${API}/registered-models/create`, { name: '' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await kiln.get(`${API}/registered-models/get`), 400, 'INVALID_PARAMETER_VALUE');
  });

  it('answers 404 for an unknown model on get, update and delete', async () => {
    expectError(
      await kiln.get(`${API}/registered-models/get`, { name: 'rm-nope' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.call('PATCH', `${API}/registered-models/update`, { name: 'rm-nope' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.call('DELETE', `${API}/registered-models/delete`, { name: 'rm-nope' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('updates the description with PATCH and bumps last_updated_timestamp', async () => {
    const created = await createModel('rm-update', { description: 'old' });
    await new Promise((r) => setTimeout(r, 5));
    const res = await kiln.call('PATCH', `${API}/registered-models/update`, {
      name: 'rm-update',
      description: 'new',
    });
    expect(res.status).toBe(200);
    expect(res.body.registered_model.description).toBe('new');
    expect(res.body.registered_model.last_updated_timestamp).toBeGreaterThan(
      created.last_updated_timestamp,
    );
    expect((await getModel('rm-update')).description).toBe('new');
  });

  it('renames a model with its versions, tags and aliases; a taken name is refused', async () => {
    await createModel('rm-old', { tags: [{ key: 't', value: '1' }] });
    await createVersion('rm-old');
    await kiln.post(`${API}/model-versions/set-tag`, {
      name: 'rm-old',
      version: '1',
      key: 'vt',
      value: 'x',
    });
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'rm-old',
      alias: 'champion',
      version: '1',
    });
    await createModel('rm-taken');
    expectError(
      await kiln.post(`${API}/registered-models/rename`, { name: 'rm-old', new_name: 'rm-taken' }),
      400,
      'RESOURCE_ALREADY_EXISTS',
    );
    const res = await kiln.post(`${API}/registered-models/rename`, {
      name: 'rm-old',
      new_name: 'rm-new',
    });
    expect(res.status).toBe(200);
    expect(res.body.registered_model).toMatchObject({
      name: 'rm-new',
      tags: [{ key: 't', value: '1' }],
      aliases: [{ alias: 'champion', version: '1' }],
      latest_versions: [{ name: 'rm-new', version: '1', current_stage: 'None' }],
    });
    const version = await kiln.get(`${API}/model-versions/get`, { name: 'rm-new', version: '1' });
    expect(version.body.model_version).toMatchObject({
      name: 'rm-new',
      tags: [{ key: 'vt', value: 'x' }],
      aliases: ['champion'],
    });
    expectError(
      await kiln.get(`${API}/registered-models/get`, { name: 'rm-old' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.post(`${API}/registered-models/rename`, { name: 'rm-gone', new_name: 'x' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.post(`${API}/registered-models/rename`, { name: 'rm-new' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('deletes a model with a JSON body, with its versions; the name can be reused', async () => {
    await createModel('rm-delete');
    await createVersion('rm-delete');
    await createVersion('rm-delete');
    const res = await kiln.call('DELETE', `${API}/registered-models/delete`, { name: 'rm-delete' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expectError(
      await kiln.get(`${API}/model-versions/get`, { name: 'rm-delete', version: '1' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    await createModel('rm-delete');
    expect((await createVersion('rm-delete')).version).toBe('1');
  });

  it('sets and deletes tags; deleting an absent tag is no error', async () => {
    await createModel('rm-tags');
    expect(
      (
        await kiln.post(`${API}/registered-models/set-tag`, {
          name: 'rm-tags',
          key: 'a',
          value: '1',
        })
      ).status,
    ).toBe(200);
    await kiln.post(`${API}/registered-models/set-tag`, { name: 'rm-tags', key: 'a', value: '2' });
    await kiln.post(`${API}/registered-models/set-tag`, { name: 'rm-tags', key: 'b', value: '' });
    expect((await getModel('rm-tags')).tags).toEqual([
      { key: 'a', value: '2' },
      { key: 'b', value: '' },
    ]);
    const del = await kiln.call('DELETE', `${API}/registered-models/delete-tag`, {
      name: 'rm-tags',
      key: 'a',
    });
    expect(del.status).toBe(200);
    const again = await kiln.call('DELETE', `${API}/registered-models/delete-tag`, {
      name: 'rm-tags',
      key: 'a',
    });
    expect(again.status).toBe(200);
    expect((await getModel('rm-tags')).tags).toEqual([{ key: 'b', value: '' }]);
    expectError(
      await kiln.post(`${API}/registered-models/set-tag`, {
        name: 'rm-nope',
        key: 'a',
        value: '1',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.post(`${API}/registered-models/set-tag`, {
        name: 'rm-tags',
        key: 'long',
        value: 'z'.repeat(5001),
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expect(
      (
        await kiln.post(`${API}/registered-models/set-tag`, {
          name: 'rm-tags',
          key: 'long',
          value: 'z'.repeat(5000),
        })
      ).status,
    ).toBe(200);
    expectError(
      await kiln.post(`${API}/registered-models/set-tag`, {
        name: 'rm-tags',
        key: 'bad!key',
        value: '1',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  it('serves the ajax-api prefix too', async () => {
    await createModel('rm-ajax');
    const res = await kiln.get('/ajax-api/2.0/mlflow/registered-models/get', { name: 'rm-ajax' });
    expect(res.status).toBe(200);
    expect(res.body.registered_model.name).toBe('rm-ajax');
  });
});

describe('latest versions', () => {
  beforeAll(async () => {
    await createModel('rm-latest');
    for (let i = 0; i < 5; i++) await createVersion('rm-latest');
    const move = (version: string, stage: string) =>
      kiln.post(`${API}/model-versions/transition-stage`, {
        name: 'rm-latest',
        version,
        stage,
        archive_existing_versions: false,
      });
    await move('1', 'Production');
    await move('2', 'Production');
    await move('3', 'Staging');
    await move('4', 'Archived');
  });

  it('lists the highest version of every stage when no stage is given', async () => {
    const res = await kiln.post(`${API}/registered-models/get-latest-versions`, {
      name: 'rm-latest',
    });
    expect(res.status).toBe(200);
    const byStage = Object.fromEntries(
      res.body.model_versions.map((v: { current_stage: string; version: string }) => [
        v.current_stage,
        v.version,
      ]),
    );
    expect(byStage).toEqual({ Production: '2', Staging: '3', Archived: '4', None: '5' });
  });

  it('filters by stage, in any case, by POST or GET', async () => {
    const post = await kiln.post(`${API}/registered-models/get-latest-versions`, {
      name: 'rm-latest',
      stages: ['production', 'STAGING'],
    });
    expect(post.body.model_versions.map((v: { version: string }) => v.version).sort()).toEqual([
      '2',
      '3',
    ]);
    const get = await kiln.get(`${API}/registered-models/get-latest-versions`, {
      name: 'rm-latest',
      stages: ['Production'],
    });
    expect(get.body.model_versions).toHaveLength(1);
    expect(get.body.model_versions[0]).toMatchObject({ version: '2', current_stage: 'Production' });
  });

  it('refuses an unknown stage and an unknown model', async () => {
    expectError(
      await kiln.post(`${API}/registered-models/get-latest-versions`, {
        name: 'rm-latest',
        stages: ['Foo'],
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await kiln.post(`${API}/registered-models/get-latest-versions`, { name: 'rm-nope' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it('shows the latest version per stage on the model', async () => {
    const model = await getModel('rm-latest');
    expect(model.latest_versions.map((v: { version: string }) => v.version)).toEqual([
      '2',
      '3',
      '4',
      '5',
    ]);
  });
});

describe('aliases', () => {
  beforeAll(async () => {
    await createModel('rm-alias');
    await createVersion('rm-alias');
    await createVersion('rm-alias');
  });

  it('sets, moves, reads and deletes an alias', async () => {
    const set = await kiln.post(`${API}/registered-models/alias`, {
      name: 'rm-alias',
      alias: 'champion',
      version: '1',
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({});
    let byAlias = await kiln.get(`${API}/registered-models/alias`, {
      name: 'rm-alias',
      alias: 'champion',
    });
    expect(byAlias.body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    await kiln.post(`${API}/registered-models/alias`, {
      name: 'rm-alias',
      alias: 'champion',
      version: 2,
    });
    byAlias = await kiln.get(`${API}/registered-models/alias`, {
      name: 'rm-alias',
      alias: 'champion',
    });
    expect(byAlias.body.model_version.version).toBe('2');
    expect((await getModel('rm-alias')).aliases).toEqual([{ alias: 'champion', version: '2' }]);
    const del = await kiln.call('DELETE', `${API}/registered-models/alias`, {
      name: 'rm-alias',
      alias: 'champion',
    });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect((await getModel('rm-alias')).aliases).toBeUndefined();
  });

  it('answers a missing alias with 400, and deleting one with 200', async () => {
    expectError(
      await kiln.get(`${API}/registered-models/alias`, { name: 'rm-alias', alias: 'nope' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const del = await kiln.call('DELETE', `${API}/registered-models/alias`, {
      name: 'rm-alias',
      alias: 'never-set',
    });
    expect(del.status).toBe(200);
    expectError(
      await kiln.call('DELETE', `${API}/registered-models/alias`, {
        name: 'rm-nope',
        alias: 'x',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it.each([
    ['latest', 'latest'],
    ['LATEST', 'LATEST'],
    ['v1', 'v1'],
    ['V2', 'V2'],
    ['bad alias!', 'bad alias!'],
    ['256 characters', 'a'.repeat(256)],
    ['empty', ''],
  ])('refuses the alias %s', async (_label, alias) => {
    expectError(
      await kiln.post(`${API}/registered-models/alias`, { name: 'rm-alias', alias, version: '1' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  it.each([
    ['v1a', 'v1a'],
    ['ok_alias-1', 'ok_alias-1'],
    ['Unicode letters', 'é-中'],
    ['255 characters', 'a'.repeat(255)],
  ])('accepts the alias %s', async (_label, alias) => {
    const res = await kiln.post(`${API}/registered-models/alias`, {
      name: 'rm-alias',
      alias,
      version: '1',
    });
    expect(res.status).toBe(200);
  });

  it('refuses an alias to an unknown version or a version that is not a number', async () => {
    expectError(
      await kiln.post(`${API}/registered-models/alias`, {
        name: 'rm-alias',
        alias: 'a',
        version: '99',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await kiln.post(`${API}/registered-models/alias`, {
        name: 'rm-alias',
        alias: 'a',
        version: 'abc',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });
});
