import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * Recorded MLflow 2.10 traffic (see shared/mlflow-traffic/README.md): loading the exchanges,
 * mapping the ids the recording's server made to the ids our server makes, and sending each
 * recorded request again, byte for byte where the recording allows it.
 */

export const TRAFFIC_FILES = [
  'client-happy-path.jsonl',
  'client-errors.jsonl',
  'client-search.jsonl',
] as const;
export type TrafficFile = (typeof TRAFFIC_FILES)[number];

/** A body the recorder could not keep as JSON: the bytes' length and hash, and maybe the text. */
export interface RawBody {
  bytes: number;
  sha256: string;
  text?: string;
  text_scrubbed?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: { 'content-type': string | null; authorization: boolean };
  body: unknown;
}

export interface RecordedResponse {
  status: number;
  headers: { 'content-type': string | null };
  body: unknown;
}

export interface Exchange {
  seq: number;
  step: string;
  note?: string;
  request: RecordedRequest;
  response: RecordedResponse;
}

// ---------------------------------------------------------------------------------------------
// Locating and loading the files

/**
 * The traffic folder: `shared/mlflow-traffic` beside the repository (CI clones the repository
 * next to `shared/`), else the folder named by KILN_MLFLOW_TRAFFIC_DIR. A missing folder is an
 * error, never a reason to skip.
 */
export const TRAFFIC_DIR_BESIDE_REPO = path.resolve(__dirname, '../../../shared/mlflow-traffic');

export function trafficDir(
  env: NodeJS.ProcessEnv = process.env,
  beside: string = TRAFFIC_DIR_BESIDE_REPO,
): string {
  if (existsSync(beside)) return beside;
  const fromEnv = env.KILN_MLFLOW_TRAFFIC_DIR;
  if (fromEnv && existsSync(fromEnv)) return path.resolve(fromEnv);
  throw new Error(
    `The recorded MLflow traffic is missing: no folder at ${beside}` +
      (fromEnv ? ` and none at KILN_MLFLOW_TRAFFIC_DIR=${fromEnv}` : '') +
      '. Check out the shared/ folder beside the repository, or set KILN_MLFLOW_TRAFFIC_DIR ' +
      'to the folder holding client-happy-path.jsonl, client-errors.jsonl and client-search.jsonl.',
  );
}

export function loadExchanges(file: TrafficFile, dir: string = trafficDir()): Exchange[] {
  const full = path.join(dir, file);
  if (!existsSync(full)) throw new Error(`The recorded MLflow traffic file ${full} is missing.`);
  const exchanges = readFileSync(full, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Exchange;
      } catch (err) {
        throw new Error(`${file} line ${index + 1} is not JSON: ${(err as Error).message}`);
      }
    });
  exchanges.sort((a, b) => a.seq - b.seq);
  return exchanges;
}

/** The case label of a step: `E101` for "E101 search_runs-filter …", else the whole step. */
export function stepLabel(step: string): string {
  const match = /^([ES]\d+)\b/.exec(step);
  return match ? match[1] : step;
}

// ---------------------------------------------------------------------------------------------
// Areas: which part of Kiln serves an exchange

export const AREAS = ['tracking', 'artifacts', 'registry'] as const;
export type Area = (typeof AREAS)[number];

/** Classifies an exchange by its path into the area of Kiln that serves it. */
export function areaOf(requestPath: string): Area {
  const p = requestPath.toLowerCase();
  if (
    p.includes('/mlflow-artifacts/') ||
    p.endsWith('/mlflow-artifacts') ||
    /\/mlflow\/artifacts\//.test(p) ||
    p.startsWith('/get-artifact') ||
    p.includes('/model-versions/get-artifact')
  ) {
    return 'artifacts';
  }
  if (p.includes('/registered-models/') || p.includes('/model-versions/')) return 'registry';
  return 'tracking';
}

/** The areas to replay: KILN_REPLAY_AREAS (comma-separated), all three by default. */
export function enabledAreas(env: NodeJS.ProcessEnv = process.env): Set<Area> {
  const raw = env.KILN_REPLAY_AREAS;
  if (raw === undefined || raw.trim() === '') return new Set(AREAS);
  const areas = new Set<Area>();
  for (const item of raw.split(',').map((s) => s.trim().toLowerCase())) {
    if (item === '') continue;
    if (item === 'all') return new Set(AREAS);
    if (!(AREAS as readonly string[]).includes(item)) {
      throw new Error(`KILN_REPLAY_AREAS: unknown area '${item}'; use ${AREAS.join(', ')}`);
    }
    areas.add(item as Area);
  }
  return areas;
}

// ---------------------------------------------------------------------------------------------
// Bodies

export function isRawBody(body: unknown): body is RawBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  const allowed = ['bytes', 'sha256', 'text', 'text_scrubbed'];
  const b = body as Record<string, unknown>;
  return (
    keys.every((k) => allowed.includes(k)) &&
    typeof b.bytes === 'number' &&
    typeof b.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(b.sha256)
  );
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic filler bytes for a binary upload whose content the recording did not keep. */
export function fillerBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Id mapping

const RUN_ID = /^[0-9a-f]{32}$/;
const ARTIFACT_ROOT_PREFIX = /^(mlflow-artifacts:\/)(\d+)(?=\/|$)/;
/** `<exp>/<run>` inside artifact paths (`1/<run>/artifacts/notes.txt`). */
const EXP_RUN_SEGMENT = /(^|\/)(\d+)\/([0-9a-f]{32})(?=\/|$)/g;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Maps ids from the recording's id space to ours. Ids are learnt from the answers to the calls
 * that create them (runs/create, experiments/create, model-versions/create); an id never learnt
 * (its creating call was skipped or failed) maps to itself.
 */
export class IdMapper {
  readonly runs = new Map<string, string>();
  readonly experiments = new Map<string, string>();
  /** `${model name}\0${recorded version}` → our version. */
  readonly versions = new Map<string, string>();

  /** Run ids that some runs/create in the recording made: every one of them should be learnt. */
  constructor(private readonly createdRunIds: ReadonlySet<string> = new Set()) {}

  static forExchanges(exchanges: readonly Exchange[]): IdMapper {
    const created = new Set<string>();
    for (const ex of exchanges) {
      const id = createdRunId(ex.request, ex.response.status, ex.response.body);
      if (id) created.add(id);
    }
    return new IdMapper(created);
  }

  /** Learns the ids that a creating call made, from the recorded and our answers. */
  learn(request: RecordedRequest, recorded: RecordedResponse, ours: unknown): void {
    const route = endpointOf(request.path);
    if (recorded.status !== 200 || !isPlainObject(recorded.body) || !isPlainObject(ours)) return;
    const rec = recorded.body;
    if (route === 'runs/create') {
      const recId = runIdOf(rec);
      const ourId = runIdOf(ours);
      if (recId && ourId) this.runs.set(recId, ourId);
    } else if (route === 'experiments/create') {
      const recId = rec.experiment_id;
      const ourId = ours.experiment_id;
      if (typeof recId === 'string' && typeof ourId === 'string') {
        this.experiments.set(recId, ourId);
      }
    } else if (route === 'model-versions/create') {
      const recMv = rec.model_version;
      const ourMv = ours.model_version;
      if (isPlainObject(recMv) && isPlainObject(ourMv)) {
        const name = recMv.name;
        if (typeof name === 'string' && typeof recMv.version === 'string') {
          if (typeof ourMv.version === 'string') {
            this.versions.set(`${name}\0${recMv.version}`, ourMv.version);
          }
        }
      }
    }
  }

  run(id: string): string {
    return this.runs.get(id) ?? id;
  }

  experiment(id: string): string {
    return this.experiments.get(id) ?? id;
  }

  version(name: string | undefined, version: string): string {
    if (name === undefined) return version;
    return this.versions.get(`${name}\0${version}`) ?? version;
  }

  /** Recorded run ids (made by a recorded runs/create) that this value uses but we never learnt. */
  unlearntRunIds(value: unknown): string[] {
    const found = new Set<string>();
    const visit = (v: unknown): void => {
      if (typeof v === 'string') {
        for (const id of this.createdRunIds) {
          if (!this.runs.has(id) && v.includes(id)) found.add(id);
        }
      } else if (Array.isArray(v)) {
        v.forEach(visit);
      } else if (isPlainObject(v)) {
        Object.values(v).forEach(visit);
      }
    };
    visit(value);
    return [...found];
  }

  /** Substitutes ids inside free text: run ids anywhere, experiment ids in artifact paths/URIs. */
  mapString(value: string): string {
    let out = value;
    for (const [rec, ours] of this.runs) {
      if (rec !== ours && out.includes(rec)) out = out.split(rec).join(ours);
    }
    if (this.experiments.size > 0) {
      out = out.replace(
        ARTIFACT_ROOT_PREFIX,
        (_m, prefix: string, exp: string) => `${prefix}${this.experiment(exp)}`,
      );
      out = out.replace(
        EXP_RUN_SEGMENT,
        (_m, lead: string, exp: string, run: string) => `${lead}${this.experiment(exp)}/${run}`,
      );
    }
    return out;
  }

  /** A URL path: ids substituted segment-wise, the recorded percent-encoding kept. */
  mapPath(value: string): string {
    return this.mapString(value);
  }

  mapQuery(query: Record<string, string[]>): Record<string, string[]> {
    const name = query.name?.[0];
    const out: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(query)) {
      out[key] = values.map((v) => {
        if (key === 'experiment_id' || key === 'experiment_ids') return this.experiment(v);
        if (key === 'version') return this.version(name, v);
        return this.mapString(v);
      });
    }
    return out;
  }

  /** A JSON value (request body or recorded answer) with every id mapped into our id space. */
  mapJson(value: unknown, modelName?: string): unknown {
    if (typeof value === 'string') return this.mapString(value);
    if (Array.isArray(value)) return value.map((item) => this.mapJson(item, modelName));
    if (!isPlainObject(value)) return value;
    const name = typeof value.name === 'string' ? value.name : modelName;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === 'experiment_id' && (typeof v === 'string' || typeof v === 'number')) {
        const mapped = this.experiment(String(v));
        out[key] = typeof v === 'number' && /^\d+$/.test(mapped) ? Number(mapped) : mapped;
      } else if (key === 'experiment_ids' && Array.isArray(v)) {
        out[key] = v.map((e) => (typeof e === 'string' ? this.experiment(e) : e));
      } else if (key === 'version' && typeof v === 'string') {
        out[key] = this.version(name, v);
      } else {
        out[key] = this.mapJson(v, name);
      }
    }
    return out;
  }
}

function runIdOf(body: Record<string, unknown>): string | undefined {
  const run = body.run;
  if (!isPlainObject(run) || !isPlainObject(run.info)) return undefined;
  const id = run.info.run_id ?? run.info.run_uuid;
  return typeof id === 'string' ? id : undefined;
}

function createdRunId(request: RecordedRequest, status: number, body: unknown): string | undefined {
  if (endpointOf(request.path) !== 'runs/create' || status !== 200 || !isPlainObject(body)) {
    return undefined;
  }
  const id = runIdOf(body);
  return id && RUN_ID.test(id) ? id : undefined;
}

/** The MLflow route of a path, without its prefix: `runs/search`, `mlflow-artifacts/artifacts/…`. */
export function endpointOf(requestPath: string): string {
  const m = /^\/(?:ajax-)?api\/2\.0\/mlflow\/(.*)$/.exec(requestPath);
  if (m) return m[1];
  const a = /^\/(?:ajax-)?api\/2\.0\/(mlflow-artifacts\/.*)$/.exec(requestPath);
  if (a) return a[1];
  return requestPath.replace(/^\//, '');
}

// ---------------------------------------------------------------------------------------------
// Page tokens

/**
 * Page tokens are opaque (README rule 4): a request that continues a recorded page sends the
 * token that OUR server gave on the previous answer of the same kind (same endpoint).
 */
export class PageTokens {
  private readonly recorded = new Map<string, string | undefined>();
  private readonly ours = new Map<string, string | undefined>();

  static kindOf(request: RecordedRequest): string {
    return endpointOf(request.path);
  }

  /**
   * The token to send instead of `recordedToken`, or undefined to keep the recorded one. A
   * recorded token that no earlier recorded answer gave out (`notatoken`, a forged token) is
   * part of the case and is sent as recorded.
   */
  substitute(kind: string, recordedToken: string): { token: string; note?: string } {
    if (!this.recorded.has(kind) || this.recorded.get(kind) !== recordedToken) {
      return { token: recordedToken };
    }
    const ours = this.ours.get(kind);
    if (ours === undefined) {
      return {
        token: recordedToken,
        note: 'our previous answer of this kind carried no next_page_token; sent the recorded one',
      };
    }
    return { token: ours };
  }

  remember(kind: string, recordedBody: unknown, ourBody: unknown): void {
    this.recorded.set(kind, tokenOf(recordedBody));
    this.ours.set(kind, tokenOf(ourBody));
  }
}

function tokenOf(body: unknown): string | undefined {
  if (!isPlainObject(body)) return undefined;
  const token = body.next_page_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface PreparedRequest {
  method: string;
  /** Path and query exactly as put on the wire. */
  target: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Things worth knowing when reading a difference (ids never learnt, tokens kept). */
  notes: string[];
}

export interface Reply {
  status: number;
  contentType: string | null;
  /** The body bytes as received. */
  raw: Buffer;
  /** The parsed body when the answer is JSON, else the text (UTF-8). */
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

/** Encodes a recorded query again: repeated names and blank values kept, in recorded order. */
export function encodeQuery(query: Record<string, string[]>): string {
  const params = new URLSearchParams();
  for (const [key, values] of Object.entries(query)) {
    for (const value of values) params.append(key, value);
  }
  return params.toString();
}

/**
 * Builds the request to send for a recorded one: ids mapped, page token replaced, the recorded
 * content-type (none when recorded as null), and the body re-serialised (JSON), as recorded
 * (raw text) or as filler bytes of the recorded length (binary without text).
 */
export function prepareRequest(ex: Exchange, ids: IdMapper, tokens: PageTokens): PreparedRequest {
  const req = ex.request;
  const notes: string[] = [];
  const kind = PageTokens.kindOf(req);

  const unlearnt = ids.unlearntRunIds([req.path, req.query, req.body]);
  for (const id of unlearnt) {
    notes.push(`run id ${id} was never learnt (its runs/create was skipped or failed); sent as is`);
  }

  const query = ids.mapQuery(req.query);
  if (query.page_token?.length === 1) {
    const sub = tokens.substitute(kind, query.page_token[0]);
    query.page_token = [sub.token];
    if (sub.note) notes.push(sub.note);
  }
  const qs = encodeQuery(query);
  const target = ids.mapPath(req.path) + (qs ? `?${qs}` : '');

  const headers: Record<string, string> = {};
  const contentType = req.headers['content-type'];
  if (contentType !== null && contentType !== undefined) headers['content-type'] = contentType;
  if (req.headers.authorization) headers.authorization = 'Bearer kiln-replay-token';

  let body: Buffer | undefined;
  if (req.body === null || req.body === undefined) {
    // An empty body. POST/PUT/PATCH/DELETE still say so, as the client did (Content-Length 0).
    body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.alloc(0);
  } else if (isRawBody(req.body)) {
    if (typeof req.body.text === 'string') {
      body = Buffer.from(ids.mapString(req.body.text), 'utf8');
      if (!req.body.text_scrubbed && body.length !== req.body.bytes) {
        notes.push(`raw body is ${body.length} bytes, recorded ${req.body.bytes}`);
      }
    } else {
      body = fillerBytes(req.body.bytes, ex.seq);
    }
  } else {
    let json = ids.mapJson(req.body);
    if (isPlainObject(json) && typeof json.page_token === 'string') {
      const sub = tokens.substitute(kind, json.page_token);
      json = { ...json, page_token: sub.token };
      if (sub.note) notes.push(sub.note);
    }
    body = Buffer.from(JSON.stringify(json), 'utf8');
  }
  if (body !== undefined) headers['content-length'] = String(body.length);

  return { method: req.method, target, headers, body, notes };
}

/** Sends a prepared request over plain HTTP; the target goes on the wire unchanged. */
export function send(
  baseUrl: string,
  prepared: PreparedRequest,
  timeoutMs = 20_000,
): Promise<Reply> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: prepared.method,
        path: prepared.target,
        headers: prepared.headers,
        // Node adds no content-type of its own; a recorded null stays absent.
        setHost: true,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const contentType = res.headers['content-type'] ?? null;
          let body: unknown = raw.toString('utf8');
          if (contentType && /application\/json/i.test(contentType) && raw.length > 0) {
            try {
              body = JSON.parse(raw.toString('utf8'));
            } catch {
              // Not JSON despite the header: keep the text, the comparison reports it.
            }
          }
          resolve({ status: res.statusCode ?? 0, contentType, raw, body, headers: res.headers });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (prepared.body !== undefined) req.write(prepared.body);
    req.end();
  });
}

/** The artifact path of a `mlflow-artifacts/artifacts/<path>` URL path (decoded), if it is one. */
export function artifactPathOf(requestPath: string): string | undefined {
  const m = /^\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts\/(.+)$/.exec(requestPath);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}
