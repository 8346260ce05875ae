import net from 'node:net';
import { startKiln, type Reply, type TestKiln } from 'test/support/kiln';

const API = '/api/2.0/mlflow';
let kiln: TestKiln;
let experimentId: string;

beforeAll(async () => {
  kiln = await startKiln();
  const created = await kiln.post(`${API}/experiments/create`, { name: 'runs-test' });
  experimentId = created.body.experiment_id;
});
afterAll(() => kiln.stop());

async function newRun(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await kiln.post(`${API}/runs/create`, {
    experiment_id: experimentId,
    start_time: 1700000000000,
    ...extra,
  });
  expect(res.status).toBe(200);
  return res.body.run.info.run_id;
}

async function getRun(runId: string) {
  const res = await kiln.get(`${API}/runs/get`, { run_id: runId });
  expect(res.status).toBe(200);
  return res.body.run;
}

describe('runs', () => {
  it('creates a run with a generated name, the runName tag and an artifact URI', async () => {
    const runId = await newRun({ user_id: 'alice' });
    const run = await getRun(runId);
    expect(run.info).toMatchObject({
      run_id: runId,
      run_uuid: runId,
      experiment_id: experimentId,
      user_id: 'alice',
      status: 'RUNNING',
      start_time: 1700000000000,
      lifecycle_stage: 'active',
      artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
    });
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(run.data.tags).toEqual([{ key: 'mlflow.runName', value: run.info.run_name }]);
    expect(run.info).not.toHaveProperty('end_time');
  });

  it('refuses a run_name that contradicts the mlflow.runName tag', async () => {
    const res = await kiln.post(`${API}/runs/create`, {
      experiment_id: experimentId,
      run_name: 'a',
      tags: [{ key: 'mlflow.runName', value: 'b' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('logs a batch atomically and keeps the latest metric per key', async () => {
    const runId = await newRun();
    const ok = await kiln.post(`${API}/runs/log-batch`, {
      run_id: runId,
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 10, step: 1 },
        { key: 'loss', value: 0.3, timestamp: 20, step: 2 },
        { key: 'loss', value: 0.9, timestamp: 5, step: 0 },
        { key: 'acc', value: 'NaN', timestamp: 1, step: 0 },
        { key: 'big', value: 'Infinity', timestamp: 1, step: 0 },
      ],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [
        { key: 't', value: 'first' },
        { key: 't', value: 'second' },
      ],
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({});
    const run = await getRun(runId);
    const metrics = Object.fromEntries(run.data.metrics.map((m: { key: string }) => [m.key, m]));
    expect(metrics.loss).toEqual({ key: 'loss', value: 0.3, timestamp: 20, step: 2 });
    expect(metrics.acc.value).toBe('NaN');
    expect(metrics.big.value).toBe(1.7976931348623157e308);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data.tags).toContainEqual({ key: 't', value: 'second' });

    // A batch whose param would change writes nothing at all.
    const rejected = await kiln.post(`${API}/runs/log-batch`, {
      run_id: runId,
      metrics: [{ key: 'loss', value: 0.01, timestamp: 30, step: 3 }],
      params: [{ key: 'lr', value: '0.2' }],
    });
    expect(rejected.status).toBe(400);
    expect(rejected.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const history = await kiln.get(`${API}/metrics/get-history`, {
      run_id: runId,
      metric_key: 'loss',
    });
    expect(history.body.metrics.map((m: { step: number }) => m.step).sort()).toEqual([0, 1, 2]);
  });

  it('enforces batch limits before writing', async () => {
    const runId = await newRun();
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i }));
    const res = await kiln.post(`${API}/runs/log-batch`, { run_id: runId, metrics });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('at most 1000 metrics');
    expect((await getRun(runId)).data.metrics).toBeUndefined();
  });

  it('validates keys, values and timestamps', async () => {
    const runId = await newRun();
    const bad = [
      { key: 'a/../b', value: '1' },
      { key: '/lead', value: '1' },
      { key: 'bad!char', value: '1' },
      { key: 'x'.repeat(251), value: '1' },
      { key: 'long', value: 'v'.repeat(6001) },
    ];
    for (const param of bad) {
      const res = await kiln.post(`${API}/runs/log-parameter`, { run_id: runId, ...param });
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const unicode = await kiln.post(`${API}/runs/log-parameter`, {
      run_id: runId,
      key: 'lr-é中 x/y',
      value: '1',
    });
    expect(unicode.status).toBe(200);
    const negative = await kiln.post(`${API}/runs/log-metric`, {
      run_id: runId,
      key: 'm',
      value: 1,
      timestamp: -1,
    });
    expect(negative.status).toBe(400);
    const missing = await kiln.post(`${API}/runs/log-metric`, {
      run_id: runId,
      key: 'm',
      value: 1,
    });
    expect(missing.body.message).toContain("'timestamp'");
  });

  it('logs metric-only batches in one step: retried points are kept once, latest moves forward', async () => {
    const runId = await newRun();
    const point = (step: number, value: number) => ({ key: 'm', value, timestamp: 100, step });
    const batch = { run_id: runId, metrics: [point(0, 0.5), point(1, 0.4)] };
    expect((await kiln.post(`${API}/runs/log-batch`, batch)).status).toBe(200);
    // A client retry sends the same points again, plus a new one, plus a duplicate within the batch.
    const retry = { run_id: runId, metrics: [...batch.metrics, point(2, 0.3), point(2, 0.3)] };
    expect((await kiln.post(`${API}/runs/log-batch`, retry)).status).toBe(200);
    const history = await kiln.get(`${API}/metrics/get-history`, {
      run_id: runId,
      metric_key: 'm',
    });
    expect(history.body.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1, 2]);
    const run = await getRun(runId);
    expect(run.data.metrics).toEqual([{ key: 'm', value: 0.3, timestamp: 100, step: 2 }]);

    // On a deleted run nothing is written, and the answer names the state.
    await kiln.post(`${API}/runs/delete`, { run_id: runId });
    const refused = await kiln.post(`${API}/runs/log-batch`, {
      run_id: runId,
      metrics: [point(3, 0.2)],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('Current state is deleted');
    await kiln.post(`${API}/runs/restore`, { run_id: runId });
    const after = await kiln.get(`${API}/metrics/get-history`, { run_id: runId, metric_key: 'm' });
    expect(after.body.metrics).toHaveLength(3);
    for (const unknown of ['f'.repeat(32), 'f'.repeat(40)]) {
      const missing = await kiln.post(`${API}/runs/log-metric`, {
        run_id: unknown,
        ...point(0, 1),
      });
      expect([missing.status, missing.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    }
  });

  it('refuses an int64 beyond the 64-bit range with a 400, not a database error', async () => {
    const runId = await newRun();
    // int64's largest value (as a JSON string, as protobuf writes int64) and 2^63 as a number.
    for (const endTime of ['9223372036854775807', 2 ** 63]) {
      const res = await kiln.post(`${API}/runs/update`, { run_id: runId, end_time: endTime });
      expect([res.status, res.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    }
    const ok = await kiln.post(`${API}/runs/update`, { run_id: runId, end_time: 2 ** 53 - 1 });
    expect(ok.status).toBe(200);
  });

  it('answers input no column can hold with a 4xx in MLflow’s shape, never a 500', async () => {
    const runId = await newRun();
    const cases: Array<[string, () => Promise<Reply>]> = [
      [
        'NUL in a tag',
        () => kiln.post(`${API}/runs/set-tag`, { run_id: runId, key: 'k', value: 'a\u0000' }),
      ],
      [
        'lone surrogate',
        () => kiln.post(`${API}/runs/set-tag`, { run_id: runId, key: 'k', value: '\ud800' }),
      ],
      ['NUL in a query', () => kiln.get(`${API}/runs/get`, { run_id: '\u0000' })],
      [
        'run name over 250',
        () =>
          kiln.post(`${API}/runs/create`, {
            experiment_id: experimentId,
            run_name: 'a'.repeat(300),
          }),
      ],
      [
        'negative max_results',
        () =>
          kiln.get(`${API}/metrics/get-history-bulk`, {
            run_id: runId,
            metric_key: 'm',
            max_results: '-1',
          }),
      ],
      [
        '51 filter terms',
        () =>
          kiln.post(`${API}/runs/search`, {
            experiment_ids: [experimentId],
            filter: Array.from({ length: 51 }, (_, i) => `metrics.m${i} > 1`).join(' and '),
          }),
      ],
      ['a token with auth off', () => kiln.post('/api/2.0/kiln/tokens/create', { name: 'ci' })],
    ];
    for (const [label, send] of cases) {
      const res = await send();
      expect([label, res.status < 500 && res.status >= 400, typeof res.body.error_code]).toEqual([
        label,
        true,
        'string',
      ]);
    }
    const run = await getRun(runId);
    expect(run.data.tags?.find((t: { key: string }) => t.key === 'k')).toBeUndefined();
  });

  it("answers requests Node's HTTP parser refuses in MLflow's error shape", async () => {
    const send = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const url = new URL(kiln.url);
        const socket = net.connect(Number(url.port), url.hostname, () => socket.end(head));
        let reply = '';
        socket.on('data', (chunk) => (reply += chunk.toString()));
        socket.on('end', () => resolve(reply));
        socket.on('error', reject);
      });
    const long = await send(
      `GET ${API}/runs/get?run_id=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(long).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(long.slice(long.indexOf('\r\n\r\n') + 4)).error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
    const bad = await send(`GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n`);
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4)).error_code).toBe('BAD_REQUEST');
  });

  it('refuses writes to a deleted run and restores it', async () => {
    const runId = await newRun();
    expect((await kiln.post(`${API}/runs/delete`, { run_id: runId })).status).toBe(200);
    const write = await kiln.post(`${API}/runs/set-tag`, { run_id: runId, key: 'k', value: 'v' });
    expect(write.status).toBe(400);
    expect(write.body.message).toContain("must be in the 'active' state");
    expect((await getRun(runId)).info.lifecycle_stage).toBe('deleted');
    expect((await kiln.post(`${API}/runs/restore`, { run_id: runId })).status).toBe(200);
    expect((await getRun(runId)).info.lifecycle_stage).toBe('active');
  });

  it('updates status, end time and name (which rewrites the runName tag)', async () => {
    const runId = await newRun();
    const res = await kiln.post(`${API}/runs/update`, {
      run_id: runId,
      status: 'FINISHED',
      end_time: 1700000005000,
      run_name: 'renamed',
    });
    expect(res.status).toBe(200);
    expect(res.body.run_info).toMatchObject({
      status: 'FINISHED',
      end_time: 1700000005000,
      run_name: 'renamed',
    });
    expect((await getRun(runId)).data.tags).toContainEqual({
      key: 'mlflow.runName',
      value: 'renamed',
    });
  });

  it('answers unknown runs with 404 and missing fields with MLflow messages', async () => {
    const unknown = await kiln.get(`${API}/runs/get`, { run_id: 'f'.repeat(32) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const missing = await kiln.post(`${API}/runs/log-parameter`, { key: 'k', value: 'v' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^Missing value for required parameter 'run_id'/);
  });

  it('records log-model calls and dataset inputs', async () => {
    const runId = await newRun();
    const model = { artifact_path: 'model', flavors: {}, utc_time_created: 'now', run_id: runId };
    const logged = await kiln.post(`${API}/runs/log-model`, {
      run_id: runId,
      model_json: JSON.stringify(model),
    });
    expect(logged.status).toBe(200);
    const dataset = { name: 'iris', digest: 'abc', source_type: 'local', source: '/data/iris.csv' };
    const input = { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset };
    const inputs = await kiln.post(`${API}/runs/log-inputs`, {
      run_id: runId,
      datasets: [input, input],
    });
    expect(inputs.status).toBe(200);
    const run = await getRun(runId);
    const history = run.data.tags.find(
      (t: { key: string }) => t.key === 'mlflow.log-model.history',
    );
    expect(JSON.parse(history.value)).toEqual([model]);
    expect(run.inputs.dataset_inputs).toEqual([input]);
  });
});
