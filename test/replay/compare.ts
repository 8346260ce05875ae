import {
  artifactPathOf,
  endpointOf,
  isRawBody,
  sha256,
  type Exchange,
  type RecordedRequest,
  type RecordedResponse,
  type Reply,
} from './traffic';

/**
 * Compares our answer with the recorded MLflow answer by the README's rules:
 *  1. status and error_code exactly; 2. error messages not at all;
 *  3. ids mapped (the caller maps the recorded answer into our id space first);
 *  4. page tokens: only whether one is present; 5. server-made timestamps: integers, sensibly
 *  ordered; 6. artifact downloads: the bytes uploaded earlier in the same replay;
 *  7. metric history as a multiset, params/tags/run metrics/latest_versions/aliases as sets
 *  keyed by key/version/alias, search results in order; 8. numbers numerically;
 *  9. an omitted field equals an empty list or object (MLflow leaves those out).
 * Each difference is one human-readable line.
 */

export interface CompareInput {
  exchange: Exchange;
  /** The recorded answer, ids already mapped into our id space. */
  expected: RecordedResponse;
  reply: Reply;
  /** Artifact path → bytes uploaded (and accepted) earlier in this replay. */
  uploads: ReadonlyMap<string, Buffer>;
}

const MAX_DIFFS = 25;

/** Timestamps the server makes: checked as integers only (README rule 5). */
const SERVER_TIMES: ReadonlyArray<readonly [string, string]> = [
  ['creation_time', 'last_update_time'],
  ['creation_timestamp', 'last_updated_timestamp'],
];
const SERVER_TIME_KEYS = new Set(SERVER_TIMES.flat());

export function mediaType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  return contentType.split(';')[0].trim().toLowerCase();
}

export function compareExchange(input: CompareInput): string[] {
  const { exchange, expected, reply } = input;
  const diffs: string[] = [];

  if (expected.status !== reply.status) {
    diffs.push(`status: MLflow ${expected.status}, Kiln ${reply.status}`);
  }

  const expType = mediaType(expected.headers['content-type']);
  const actType = mediaType(reply.contentType);
  if (expType !== null && expType !== actType) {
    diffs.push(`content-type: MLflow ${expType}, Kiln ${actType ?? '(none)'}`);
  }

  const body = expected.body;
  if (body === null || body === undefined) {
    if (reply.raw.length > 0 && !isEmptyValue(reply.body)) {
      diffs.push(`body: MLflow sent none, Kiln sent ${preview(reply.body)}`);
    }
  } else if (isRawBody(body)) {
    compareRaw(input, diffs);
  } else if (typeof reply.body !== 'object' || reply.body === null) {
    diffs.push(`body: MLflow sent JSON, Kiln sent ${describeRaw(reply)}`);
  } else if (isErrorBody(body)) {
    const actual = reply.body as Record<string, unknown>;
    if (actual.error_code !== body.error_code) {
      diffs.push(
        `error_code: MLflow ${body.error_code}, Kiln ${actual.error_code ?? '(none)'}` +
          (typeof actual.message === 'string' ? ` (Kiln: "${clip(actual.message, 160)}")` : ''),
      );
    }
  } else {
    if (isErrorBody(reply.body)) {
      const actual = reply.body as { error_code: string; message?: unknown };
      diffs.push(
        `error: Kiln answered ${actual.error_code}` +
          (typeof actual.message === 'string' ? ` "${clip(actual.message, 200)}"` : '') +
          ', MLflow answered without error',
      );
    } else {
      const expectedBody = orderedByOurIds(body, exchange.request);
      compareJson(expectedBody, reply.body, '', diffs, {
        endpoint: endpointOf(exchange.request.path),
      });
    }
  }

  if (diffs.length > MAX_DIFFS) {
    const more = diffs.length - MAX_DIFFS;
    diffs.length = MAX_DIFFS;
    diffs.push(`… and ${more} more differences`);
  }
  return diffs;
}

/**
 * runs/search ordered by run_id or artifact_uri (which holds the run id): the order depends on
 * the random ids, so the recorded runs (already mapped to our ids) are put in the order that
 * our ids give under the same order_by.
 */
function orderedByOurIds(body: unknown, request: RecordedRequest): unknown {
  if (endpointOf(request.path) !== 'runs/search' || !isPlainObject(body)) return body;
  const req = request.body;
  if (!isPlainObject(req) || !Array.isArray(req.order_by) || req.order_by.length === 0) {
    return body;
  }
  const m = /^(?:(?:attributes?|attr|run)\.)?(run_id|artifact_uri)(?:\s+(asc|desc))?$/i.exec(
    String(req.order_by[0]).trim(),
  );
  if (!m || !Array.isArray(body.runs)) return body;
  const field = m[1].toLowerCase();
  const sign = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
  const valueOf = (run: unknown): string => {
    const info = isPlainObject(run) && isPlainObject(run.info) ? run.info : {};
    const v = info[field];
    return typeof v === 'string' ? v : '';
  };
  const runs = [...body.runs].sort((a, b) => {
    const x = valueOf(a);
    const y = valueOf(b);
    return x === y ? 0 : x < y ? -sign : sign;
  });
  return { ...body, runs };
}

function isErrorBody(body: unknown): body is { error_code: string; message?: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    typeof (body as Record<string, unknown>).error_code === 'string'
  );
}

function compareRaw(input: CompareInput, diffs: string[]): void {
  const { exchange, expected, reply, uploads } = input;
  const body = expected.body;
  if (!isRawBody(body)) return;
  const expType = mediaType(expected.headers['content-type']);
  if (expType === 'text/html') {
    // Flask's own HTML pages are no contract: the status and content-type above say it all.
    return;
  }
  const artifact = artifactPathOf(exchange.request.path);
  if (exchange.request.method === 'GET' && artifact !== undefined && expected.status === 200) {
    const uploaded = uploads.get(artifact);
    if (uploaded === undefined) {
      if (!body.text_scrubbed && sha256(reply.raw) !== body.sha256) {
        diffs.push(
          `artifact ${artifact}: not uploaded in this replay, and Kiln's ${reply.raw.length} ` +
            `bytes differ from MLflow's ${body.bytes}`,
        );
      }
    } else if (!uploaded.equals(reply.raw)) {
      diffs.push(
        `artifact ${artifact}: Kiln returned ${reply.raw.length} bytes (sha256 ` +
          `${sha256(reply.raw).slice(0, 12)}…), not the ${uploaded.length} bytes uploaded`,
      );
    }
    return;
  }
  if (typeof body.text === 'string' && !body.text_scrubbed) {
    const text = reply.raw.toString('utf8');
    if (text !== body.text) {
      diffs.push(`body: MLflow "${clip(body.text, 120)}", Kiln "${clip(text, 120)}"`);
    }
  } else if (!body.text_scrubbed && sha256(reply.raw) !== body.sha256) {
    diffs.push(`body: ${reply.raw.length} bytes differing from MLflow's ${body.bytes} bytes`);
  }
}

// ---------------------------------------------------------------------------------------------
// Structural JSON comparison

interface Context {
  endpoint: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Omitted, null, [] and {} are the same answer (README rule 9), and so is an object holding
 * only such values (`{"runs": []}` is `{}`). "" is a value.
 */
function isEmptyValue(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    (isPlainObject(value) && Object.values(value).every(isEmptyValue))
  );
}

function compareJson(exp: unknown, act: unknown, at: string, diffs: string[], ctx: Context): void {
  if (isEmptyValue(exp) && isEmptyValue(act)) return;
  if (at === '' && (isPlainObject(exp) || exp == null) && (isPlainObject(act) || act == null)) {
    // The whole answer: name the fields that differ, even when one side is `{}`.
    compareObjects(isPlainObject(exp) ? exp : {}, isPlainObject(act) ? act : {}, at, diffs, ctx);
    return;
  }
  const where = at === '' ? 'body' : at;
  if (isEmptyValue(exp)) {
    diffs.push(`${where}: MLflow omits it, Kiln has ${preview(act)}`);
    return;
  }
  if (isEmptyValue(act)) {
    diffs.push(`${where}: missing in Kiln (MLflow ${preview(exp)})`);
    return;
  }
  if (typeof exp === 'number' || typeof act === 'number') {
    if (typeof exp !== 'number' || typeof act !== 'number') {
      diffs.push(`${where}: MLflow ${preview(exp)}, Kiln ${preview(act)} (type differs)`);
    } else if (!(exp === act || (Number.isNaN(exp) && Number.isNaN(act)))) {
      diffs.push(`${where}: MLflow ${exp}, Kiln ${act}`);
    }
    return;
  }
  if (typeof exp === 'string' && typeof act === 'string') {
    if (exp === act) return;
    const expJson = jsonText(exp);
    const actJson = jsonText(act);
    if (expJson !== undefined && actJson !== undefined) {
      // A JSON document inside a string (mlflow.log-model.history): compare what it says.
      compareJson(expJson, actJson, `${where}<json>`, diffs, ctx);
      return;
    }
    diffs.push(`${where}: MLflow ${preview(exp)}, Kiln ${preview(act)}`);
    return;
  }
  if (Array.isArray(exp) && Array.isArray(act)) {
    compareArrays(exp, act, at, diffs, ctx);
    return;
  }
  if (isPlainObject(exp) && isPlainObject(act)) {
    compareObjects(exp, act, at, diffs, ctx);
    return;
  }
  if (exp !== act) diffs.push(`${where}: MLflow ${preview(exp)}, Kiln ${preview(act)}`);
}

function compareObjects(
  exp: Record<string, unknown>,
  act: Record<string, unknown>,
  at: string,
  diffs: string[],
  ctx: Context,
): void {
  const keys = new Set([...Object.keys(exp), ...Object.keys(act)]);
  for (const key of keys) {
    const path = at === '' ? key : `${at}.${key}`;
    const e = exp[key];
    const a = act[key];
    if (key === 'next_page_token') {
      const ePresent = typeof e === 'string' && e !== '';
      const aPresent = typeof a === 'string' && a !== '';
      if (ePresent !== aPresent) {
        diffs.push(
          `${path}: ${ePresent ? 'MLflow gives one, Kiln none' : 'Kiln gives one, MLflow none'}`,
        );
      }
      continue;
    }
    if (SERVER_TIME_KEYS.has(key)) {
      if (e === undefined && a === undefined) continue;
      if (e === undefined) diffs.push(`${path}: MLflow omits it, Kiln has ${preview(a)}`);
      else if (typeof a !== 'number' || !Number.isInteger(a)) {
        diffs.push(`${path}: Kiln ${preview(a)} is not an integer timestamp`);
      }
      continue;
    }
    compareJson(e, a, path, diffs, ctx);
  }
  for (const [created, updated] of SERVER_TIMES) {
    const c = act[created];
    const u = act[updated];
    if (typeof c === 'number' && typeof u === 'number' && u < c) {
      diffs.push(`${at || 'body'}: Kiln's ${updated} ${u} is before its ${created} ${c}`);
    }
  }
}

/** The identity of the elements of a list compared as a set, by the list's field name. */
function setKeyFor(listName: string, parentPath: string, ctx: Context): string | undefined {
  switch (listName) {
    case 'params':
    case 'tags':
      return 'key';
    case 'metrics':
      // Inside a run: the latest value of each key. Elsewhere (get-history): points.
      return /(^|\.)data$/.test(parentPath) && !ctx.endpoint.startsWith('metrics/')
        ? 'key'
        : undefined;
    case 'latest_versions':
      return 'version';
    case 'aliases':
      return 'alias';
    case 'files':
      return 'path';
    default:
      return undefined;
  }
}

/** Lists compared as multisets (order not guaranteed): metric history points. */
function isMultiset(listName: string, ctx: Context): boolean {
  return listName === 'metrics' && ctx.endpoint.startsWith('metrics/');
}

function compareArrays(
  exp: unknown[],
  act: unknown[],
  at: string,
  diffs: string[],
  ctx: Context,
): void {
  const dot = at.lastIndexOf('.');
  const listName = (dot >= 0 ? at.slice(dot + 1) : at).replace(/\[.*$/, '');
  const parent = dot >= 0 ? at.slice(0, dot) : '';
  const key = setKeyFor(listName, parent, ctx);

  if (key !== undefined && exp.every(isPlainObject) && act.every(isPlainObject)) {
    const eMap = keyed(exp as Record<string, unknown>[], key);
    const aMap = keyed(act as Record<string, unknown>[], key);
    if (eMap && aMap) {
      for (const [k, e] of eMap) {
        const a = aMap.get(k);
        const path = `${at}[${key}=${k}]`;
        if (a === undefined) diffs.push(`${path}: missing in Kiln (MLflow ${preview(e)})`);
        else compareJson(e, a, path, diffs, ctx);
      }
      for (const [k, a] of aMap) {
        if (!eMap.has(k)) diffs.push(`${at}[${key}=${k}]: only in Kiln (${preview(a)})`);
      }
      return;
    }
  }
  if (key !== undefined || isMultiset(listName, ctx)) {
    // A set whose members have no usable key (strings, duplicates): compare as a multiset.
    compareMultiset(exp, act, at, diffs);
    return;
  }

  if (exp.length !== act.length) {
    diffs.push(`${at}: MLflow has ${exp.length} items, Kiln ${act.length}`);
    const eIds = exp.map(identity);
    const aIds = act.map(identity);
    if (eIds.every((x) => x !== undefined) && aIds.every((x) => x !== undefined)) {
      diffs.push(`${at}: MLflow [${eIds.join(', ')}], Kiln [${aIds.join(', ')}]`);
      return;
    }
  } else {
    const eIds = exp.map(identity);
    const aIds = act.map(identity);
    if (
      eIds.every((x) => x !== undefined) &&
      aIds.every((x) => x !== undefined) &&
      eIds.join('\n') !== aIds.join('\n')
    ) {
      diffs.push(
        `${at}: order or members differ: MLflow [${eIds.join(', ')}], Kiln [${aIds.join(', ')}]`,
      );
      return;
    }
  }
  const n = Math.min(exp.length, act.length);
  for (let i = 0; i < n; i++) compareJson(exp[i], act[i], `${at}[${i}]`, diffs, ctx);
}

/** A short identity for an element of a result list, to show orders side by side. */
function identity(item: unknown): string | undefined {
  if (!isPlainObject(item)) return typeof item === 'string' ? item : undefined;
  const info = item.info;
  if (isPlainObject(info) && typeof info.run_name === 'string') return info.run_name;
  if (typeof item.name === 'string' && typeof item.version === 'string') {
    return `${item.name}/v${item.version}`;
  }
  if (typeof item.name === 'string') return item.name;
  return undefined;
}

function keyed(items: Record<string, unknown>[], key: string): Map<string, unknown> | undefined {
  const map = new Map<string, unknown>();
  for (const item of items) {
    const k = item[key];
    if (typeof k !== 'string' && typeof k !== 'number') return undefined;
    if (map.has(String(k))) return undefined;
    map.set(String(k), item);
  }
  return map;
}

function compareMultiset(exp: unknown[], act: unknown[], at: string, diffs: string[]): void {
  const count = (items: unknown[]) => {
    const m = new Map<string, number>();
    for (const item of items) {
      const c = canonical(item);
      m.set(c, (m.get(c) ?? 0) + 1);
    }
    return m;
  };
  const e = count(exp);
  const a = count(act);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, n] of e) for (let i = a.get(k) ?? 0; i < n; i++) missing.push(k);
  for (const [k, n] of a) for (let i = e.get(k) ?? 0; i < n; i++) extra.push(k);
  if (missing.length === 0 && extra.length === 0) return;
  const show = (list: string[]) =>
    list.slice(0, 3).join(', ') + (list.length > 3 ? ` (+${list.length - 3} more)` : '');
  if (exp.length !== act.length) {
    diffs.push(`${at}: MLflow has ${exp.length} items, Kiln ${act.length}`);
  }
  if (missing.length > 0) diffs.push(`${at}: only in MLflow: ${show(missing)}`);
  if (extra.length > 0) diffs.push(`${at}: only in Kiln: ${show(extra)}`);
}

/** Canonical JSON: sorted keys, empty values dropped, numbers as JavaScript writes them. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => !isEmptyValue(value[k]))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function jsonText(value: string): unknown {
  const t = value.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

export function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

export function preview(value: unknown, max = 120): string {
  if (value === undefined) return '(absent)';
  return clip(JSON.stringify(value) ?? String(value), max);
}

function describeRaw(reply: Reply): string {
  const text = reply.raw.toString('utf8');
  return `${reply.raw.length} bytes of ${reply.contentType ?? 'no content-type'}: "${clip(text, 120)}"`;
}
