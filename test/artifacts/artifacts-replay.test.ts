import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BACKENDS,
  createRun,
  startArtifactsKiln,
  type ArtifactsKiln,
} from './support/artifacts-kiln';
import { bytes, rawRequest } from './support/http';

/**
 * Replays the artifact exchanges recorded between the real MLflow 2.10 client and server
 * (../shared/mlflow-traffic): every artifact request of the happy path, and the artifact error
 * cases E167–E181. Status codes and error codes must match, list answers must match exactly,
 * and every download must return the bytes uploaded earlier in the same replay.
 */

const TRAFFIC = path.resolve(__dirname, '..', '..', '..', 'shared', 'mlflow-traffic');

interface Body {
  bytes?: number;
  text?: string;
}
interface Exchange {
  seq: number;
  step: string;
  request: {
    method: string;
    path: string;
    query: Record<string, string[]>;
    headers: { 'content-type': string | null };
    body: Body | Record<string, unknown> | null;
  };
  response: {
    status: number;
    headers: { 'content-type': string | null };
    body: Body | Record<string, unknown> | null;
  };
}

/**
 * Where Kiln answers differently on purpose (DESIGN.md: a proper JSON 4xx where MLflow answers a
 * 5xx or an HTML page). Keyed by case; the value is Kiln's status and error code.
 */
const DELIBERATE: Record<string, { status: number; error_code: string; why: string }> = {
  E171: {
    status: 400,
    error_code: 'INVALID_PARAMETER_VALUE',
    why: "MLflow's Werkzeug merges `//` and answers an HTML 308; Kiln refuses the path ('Invalid path')",
  },
  E179: {
    status: 404,
    error_code: 'RESOURCE_DOES_NOT_EXIST',
    why: 'MLflow answers a missing file with 500 INTERNAL_ERROR (which clients retry)',
  },
  E180: {
    status: 404,
    error_code: 'RESOURCE_DOES_NOT_EXIST',
    why: 'the same missing file, through client.download_artifacts',
  },
  E181: {
    status: 400,
    error_code: 'INVALID_PARAMETER_VALUE',
    why: 'MLflow answers GET of a directory with an HTML 500',
  },
};

function load(file: string): Exchange[] {
  return readFileSync(path.join(TRAFFIC, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Exchange);
}

const isArtifactExchange = (e: Exchange) =>
  e.request.path.includes('/mlflow-artifacts/') ||
  e.request.path.includes('/artifacts/list') ||
  e.request.path === '/get-artifact';

const caseOf = (e: Exchange) => /^(E\d+)\b/.exec(e.step)?.[1];

const HAPPY = load('client-happy-path.jsonl').filter(isArtifactExchange);
const ERRORS = load('client-errors.jsonl').filter((e) => {
  const n = Number(caseOf(e)?.slice(1));
  return n >= 167 && n <= 181;
});

/** Recorded run ids (32 hex) in the order they appear: each becomes a run of this replay. */
function recordedRuns(exchanges: Exchange[]): string[] {
  const ids = new Set<string>();
  for (const e of exchanges) {
    const text = `${e.request.path} ${JSON.stringify(e.request.query)}`;
    for (const m of text.matchAll(/[0-9a-f]{32}/g)) ids.add(m[0]);
  }
  return [...ids];
}

describe.each(BACKENDS)('replay of recorded MLflow artifact traffic: %s store', (backend) => {
  let k: ArtifactsKiln;
  beforeAll(async () => {
    k = await startArtifactsKiln(backend);
  });
  afterAll(async () => {
    await k?.stop();
  });

  it.each([
    ['client-happy-path.jsonl', HAPPY],
    ['client-errors.jsonl E167–E181', ERRORS],
  ])('%s', async (_label, exchanges) => {
    expect(exchanges.length).toBeGreaterThan(10);
    // One experiment stands for the recorded experiment "1"; one run per recorded run id.
    const runs = new Map<string, { experimentId: string; runId: string }>();
    for (const recorded of recordedRuns(exchanges)) runs.set(recorded, await createRun(k.kiln));
    const experimentId = [...runs.values()][0].experimentId;
    // All recorded runs live in experiment 1; so do ours, if in several experiments.
    const map = (text: string) => {
      let out = text;
      for (const [recorded, ours] of runs) {
        out = out.replaceAll(`1/${recorded}`, `${ours.experimentId}/${ours.runId}`);
        out = out.replaceAll(recorded, ours.runId);
      }
      return out.replace(/^1\//, `${experimentId}/`);
    };

    const uploaded = new Map<string, Buffer>();
    const mismatches: string[] = [];
    for (const e of exchanges) {
      const label = `#${e.seq} ${e.step}: ${e.request.method} ${e.request.path}`;
      const reqPath = map(e.request.path);
      const query = Object.entries(e.request.query)
        .flatMap(([key, values]) => values.map((v) => `${key}=${encodeURIComponent(map(v))}`))
        .join('&');
      let body: Buffer | undefined;
      const recordedBody = e.request.body as Body | null;
      if (e.request.method === 'PUT' && recordedBody) {
        body =
          recordedBody.text !== undefined
            ? Buffer.from(recordedBody.text)
            : bytes(recordedBody.bytes ?? 0, e.seq);
      }
      const headers: Record<string, string> = {};
      if (e.request.headers['content-type'])
        headers['content-type'] = e.request.headers['content-type'];
      const res = await rawRequest(
        k.url,
        e.request.method,
        query ? `${reqPath}?${query}` : reqPath,
        body,
        headers,
      );
      if (body && res.status === 200) uploaded.set(reqPath, body);

      const deliberate = DELIBERATE[caseOf(e) ?? ''];
      const expected = e.response;
      if (deliberate && expected.status !== 200) {
        if (res.status !== deliberate.status || res.json?.error_code !== deliberate.error_code) {
          mismatches.push(
            `${label}: want deliberate ${deliberate.status} ${deliberate.error_code}, got ${res.status}`,
          );
        }
        continue;
      }
      if (res.status !== expected.status) {
        mismatches.push(`${label}: status ${res.status}, recorded ${expected.status}`);
        continue;
      }
      const recordedJson = expected.headers['content-type']?.startsWith('application/json');
      if (expected.status !== 200) {
        const code = (expected.body as { error_code?: string }).error_code;
        if (res.json?.error_code !== code)
          mismatches.push(`${label}: error_code ${res.json?.error_code}, recorded ${code}`);
        continue;
      }
      if (recordedJson) {
        let want = expected.body as Record<string, unknown>;
        if (typeof want.root_uri === 'string')
          want = {
            ...want,
            root_uri: `mlflow-artifacts:/${map(want.root_uri.replace(/^mlflow-artifacts:\//, ''))}`,
          };
        if (e.request.path.includes('/runs/get')) continue; // tracking; compared by status only
        if (JSON.stringify(res.json) !== JSON.stringify(want)) {
          mismatches.push(
            `${label}: body ${JSON.stringify(res.json)}, recorded ${JSON.stringify(want)}`,
          );
        }
        continue;
      }
      // A file download: the recorded content type, and the bytes uploaded in this replay.
      if (res.headers['content-type'] !== expected.headers['content-type']) {
        mismatches.push(
          `${label}: content-type ${res.headers['content-type']}, recorded ${expected.headers['content-type']}`,
        );
      }
      const sent = uploaded.get(reqPath);
      if (!sent || !res.body.equals(sent))
        mismatches.push(`${label}: downloaded bytes differ from the upload`);
      const text = (expected.body as Body).text;
      if (text !== undefined && res.body.toString() !== text)
        mismatches.push(`${label}: text differs from the recording`);
    }
    expect(mismatches).toEqual([]);
  });
});
