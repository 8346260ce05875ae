import os from 'node:os';
import path from 'node:path';
import { compareExchange } from './compare';
import {
  areaOf,
  enabledAreas,
  encodeQuery,
  IdMapper,
  PageTokens,
  prepareRequest,
  trafficDir,
  type Exchange,
  type RecordedResponse,
  type Reply,
} from './traffic';

/** The replay harness on its own: no server, just its rules. */

const REC_RUN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const OUR_RUN = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function exchange(method: string, p: string, body: unknown, response: RecordedResponse): Exchange {
  return {
    seq: 1,
    step: 'test',
    request: {
      method,
      path: p,
      query: {},
      headers: { 'content-type': body === null ? null : 'application/json', authorization: false },
      body,
    },
    response,
  };
}

function reply(status: number, body: unknown, contentType = 'application/json'): Reply {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { status, contentType, raw, body, headers: {} };
}

function diffsOf(p: string, expected: unknown, actual: unknown, status = 200): string[] {
  const response = { status, headers: { 'content-type': 'application/json' }, body: expected };
  return compareExchange({
    exchange: exchange('GET', p, null, response),
    expected: response,
    reply: reply(status, actual),
    uploads: new Map(),
  });
}

describe('traffic folder', () => {
  it('fails with a clear message when the folder is missing', () => {
    const missing = path.join(os.tmpdir(), 'no-such-traffic-folder');
    expect(() => trafficDir({}, missing)).toThrow(/recorded MLflow traffic is missing/);
  });

  it('falls back to KILN_MLFLOW_TRAFFIC_DIR', () => {
    const missing = path.join(os.tmpdir(), 'no-such-traffic-folder');
    expect(trafficDir({ KILN_MLFLOW_TRAFFIC_DIR: os.tmpdir() }, missing)).toBe(os.tmpdir());
  });
});

describe('areas', () => {
  it.each([
    ['/api/2.0/mlflow/runs/create', 'tracking'],
    ['/ajax-api/2.0/mlflow/metrics/get-history-bulk', 'tracking'],
    ['/api/2.0/mlflow/no-such-endpoint', 'tracking'],
    ['/api/2.0/mlflow-artifacts/artifacts/1/x/artifacts/a.txt', 'artifacts'],
    ['/api/2.0/mlflow-artifacts/artifacts', 'artifacts'],
    ['/api/2.0/mlflow/artifacts/list', 'artifacts'],
    ['/get-artifact', 'artifacts'],
    ['/api/2.0/mlflow/registered-models/search', 'registry'],
    ['/api/2.0/mlflow/model-versions/get-download-uri', 'registry'],
  ])('%s is %s', (p, area) => expect(areaOf(p)).toBe(area));

  it('reads KILN_REPLAY_AREAS', () => {
    expect([...enabledAreas({})].sort()).toEqual(['artifacts', 'registry', 'tracking']);
    expect([...enabledAreas({ KILN_REPLAY_AREAS: 'tracking' })]).toEqual(['tracking']);
    expect(() => enabledAreas({ KILN_REPLAY_AREAS: 'tracking,bogus' })).toThrow(/bogus/);
  });
});

describe('id mapping and request preparation', () => {
  const ids = new IdMapper(new Set([REC_RUN]));
  ids.runs.set(REC_RUN, OUR_RUN);
  ids.experiments.set('5', '3');
  ids.versions.set('m\u00001', '7');

  it('maps run ids in paths, query values, bodies, filters and artifact URIs', () => {
    expect(ids.mapPath(`/api/2.0/mlflow-artifacts/artifacts/5/${REC_RUN}/artifacts/a.txt`)).toBe(
      `/api/2.0/mlflow-artifacts/artifacts/3/${OUR_RUN}/artifacts/a.txt`,
    );
    expect(ids.mapQuery({ run_id: [REC_RUN], experiment_id: ['5'] })).toEqual({
      run_id: [OUR_RUN],
      experiment_id: ['3'],
    });
    expect(
      ids.mapJson({
        run_uuid: REC_RUN,
        experiment_ids: ['5', '0'],
        filter: `attributes.run_id IN ('${REC_RUN}')`,
        artifact_uri: `mlflow-artifacts:/5/${REC_RUN}/artifacts`,
        model_version: { name: 'm', version: '1', source: `runs:/${REC_RUN}/model` },
      }),
    ).toEqual({
      run_uuid: OUR_RUN,
      experiment_ids: ['3', '0'],
      filter: `attributes.run_id IN ('${OUR_RUN}')`,
      artifact_uri: `mlflow-artifacts:/3/${OUR_RUN}/artifacts`,
      model_version: { name: 'm', version: '7', source: `runs:/${OUR_RUN}/model` },
    });
  });

  it('keeps repeated names and blank values in the query', () => {
    expect(encodeQuery({ run_id: ['a', 'b'], path: [''] })).toBe('run_id=a&run_id=b&path=');
  });

  it('sends no content-type when none was recorded, and filler bytes for binary bodies', () => {
    const ex = exchange('PUT', '/api/2.0/mlflow-artifacts/artifacts/x.bin', null, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {},
    });
    ex.request.body = { bytes: 10, sha256: 'a'.repeat(64) };
    const prepared = prepareRequest(ex, ids, new PageTokens());
    expect(prepared.headers['content-type']).toBeUndefined();
    expect(prepared.body?.length).toBe(10);
  });

  it('sends our page token for a continued page, and a forged token as recorded', () => {
    const tokens = new PageTokens();
    tokens.remember('runs/search', { next_page_token: 'REC1' }, { next_page_token: 'OURS1' });
    const page = (token: string) =>
      prepareRequest(
        exchange(
          'POST',
          '/api/2.0/mlflow/runs/search',
          { page_token: token },
          {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: {},
          },
        ),
        ids,
        tokens,
      ).body?.toString();
    expect(page('REC1')).toBe('{"page_token":"OURS1"}');
    expect(page('notatoken')).toBe('{"page_token":"notatoken"}');
  });
});

describe('comparison rules', () => {
  it('compares numbers numerically (1.0 is 1)', () => {
    expect(diffsOf('/api/2.0/mlflow/metrics/get-history', { x: 1.0 }, { x: 1 })).toEqual([]);
    expect(diffsOf('/api/2.0/mlflow/metrics/get-history', { x: 1.5 }, { x: 1 })).not.toEqual([]);
    expect(diffsOf('/api/2.0/mlflow/metrics/get-history', { x: 1 }, { x: '1' })).not.toEqual([]);
  });

  it('compares status and error_code, not messages', () => {
    const err = (code: string, message: string) => ({ error_code: code, message });
    expect(diffsOf('/x', err('A', 'one'), err('A', 'two'), 400)).toEqual([]);
    expect(diffsOf('/x', err('A', 'one'), err('B', 'one'), 400)).toHaveLength(1);
  });

  it('compares run params, tags and metrics as sets keyed by key', () => {
    const run = (tags: object[]) => ({ run: { data: { tags } } });
    const a = { key: 'a', value: '1' };
    const b = { key: 'b', value: '2' };
    expect(diffsOf('/api/2.0/mlflow/runs/get', run([a, b]), run([b, a]))).toEqual([]);
    expect(diffsOf('/api/2.0/mlflow/runs/get', run([a, b]), run([a]))).toEqual([
      expect.stringContaining('tags[key=b]'),
    ]);
  });

  it('compares metric history as a multiset', () => {
    const m = (step: number) => ({ key: 'loss', value: step, timestamp: 1, step });
    const p = '/api/2.0/mlflow/metrics/get-history';
    expect(diffsOf(p, { metrics: [m(0), m(1), m(2)] }, { metrics: [m(2), m(0), m(1)] })).toEqual(
      [],
    );
    expect(diffsOf(p, { metrics: [m(0), m(1)] }, { metrics: [m(0), m(0)] })).not.toEqual([]);
  });

  it('compares search results in order', () => {
    const run = (name: string) => ({ info: { run_name: name } });
    const p = '/api/2.0/mlflow/runs/search';
    expect(diffsOf(p, { runs: [run('a'), run('b')] }, { runs: [run('b'), run('a')] })).toEqual([
      expect.stringContaining('order or members differ'),
    ]);
  });

  it('checks server-made timestamps only as integers, and tokens only for presence', () => {
    const p = '/api/2.0/mlflow/experiments/search';
    const exp = (t: unknown) => ({ creation_time: t, last_update_time: t });
    expect(diffsOf(p, exp(1), exp(99))).toEqual([]);
    expect(diffsOf(p, exp(1), exp('99'))).not.toEqual([]);
    expect(diffsOf(p, { next_page_token: 'x' }, { next_page_token: 'y' })).toEqual([]);
    expect(diffsOf(p, { next_page_token: 'x' }, {})).not.toEqual([]);
  });

  it('treats an omitted field as an empty list, but "" as a value', () => {
    expect(diffsOf('/api/2.0/mlflow/runs/search', {}, { runs: [] })).toEqual([]);
    expect(diffsOf('/x', { description: '' }, {})).not.toEqual([]);
    expect(diffsOf('/x', {}, { extra: 'field' })).not.toEqual([]);
  });

  it('checks an artifact download against the bytes uploaded in the same replay', () => {
    const p = '/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/a.bin';
    const response = {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: { bytes: 3, sha256: 'f'.repeat(64) },
    };
    const got = (bytes: Buffer): string[] =>
      compareExchange({
        exchange: exchange('GET', p, null, response),
        expected: response,
        reply: {
          status: 200,
          contentType: 'application/octet-stream',
          raw: bytes,
          body: '',
          headers: {},
        },
        uploads: new Map([['1/r/artifacts/a.bin', Buffer.from([1, 2, 3])]]),
      });
    expect(got(Buffer.from([1, 2, 3]))).toEqual([]);
    expect(got(Buffer.from([1, 2, 4]))).toHaveLength(1);
  });
});
