import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKiln, type TestKiln } from '../support/kiln';
import { clip, compareExchange, preview } from './compare';
import {
  deliberateDifferenceFor,
  DELIBERATE_DIFFERENCES,
  type DeliberateDifference,
} from './deliberate-differences';
import {
  AREAS,
  areaOf,
  artifactPathOf,
  enabledAreas,
  IdMapper,
  isRawBody,
  loadExchanges,
  PageTokens,
  prepareRequest,
  send,
  stepLabel,
  TRAFFIC_FILES,
  trafficDir,
  type Area,
  type Exchange,
  type Reply,
  type TrafficFile,
} from './traffic';

/**
 * Replays the recorded MLflow 2.10 traffic (shared/mlflow-traffic) against a fresh Kiln per
 * file and compares every answer with MLflow's. An exchange passes when it matches, or when it
 * is a documented deliberate difference and Kiln gives exactly the documented answer.
 *
 * Areas: KILN_REPLAY_AREAS=tracking,artifacts,registry (default: all three). Exchanges of a
 * disabled area are not sent and are counted as skipped, never as passed.
 * KILN_REPLAY_REPORT=<dir> also writes one JSON report per file there;
 * KILN_REPLAY_LOG_LEVEL=error shows the server's own log (silent by default).
 */

type Verdict = 'matched' | 'deliberate' | 'consequence' | 'failing' | 'skipped';

interface Outcome {
  seq: number;
  step: string;
  label: string;
  area: Area;
  verdict: Verdict;
  request: string;
  diffs: string[];
  notes: string[];
  /** The table entry (deliberate) or the earlier case whose consequence this is. */
  explainedBy?: string;
  mlflow?: string;
  kiln?: string;
  /** Kiln's whole answer (JSON), for the KILN_REPLAY_REPORT files. */
  kilnBody?: unknown;
}

const AREAS_ON = enabledAreas();

function errorCodeOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const code = (body as Record<string, unknown>).error_code;
  return typeof code === 'string' ? code : null;
}

function givesDocumentedAnswer(entry: DeliberateDifference, reply: Reply, diffs: string[]) {
  return (
    reply.status === entry.kiln.status &&
    errorCodeOf(reply.body) === entry.kiln.errorCode &&
    (entry.onlyDiffs === undefined || diffs.every((d) => entry.onlyDiffs!.test(d)))
  );
}

function describeAnswer(status: number, contentType: string | null, body: unknown): string {
  if (isRawBody(body)) {
    return `${status} ${contentType ?? ''} (${body.bytes} bytes${body.text ? `: "${clip(body.text, 80)}"` : ''})`;
  }
  return `${status} ${preview(body, 300)}`;
}

function describeReply(reply: Reply): string {
  if (typeof reply.body === 'object') return describeAnswer(reply.status, null, reply.body);
  const text = /^(text\/|application\/json)/i.test(reply.contentType ?? '')
    ? `: "${clip(reply.raw.toString('utf8'), 80)}"`
    : '';
  return `${reply.status} ${reply.contentType ?? '(no content-type)'} (${reply.raw.length} bytes${text})`;
}

function describeRequest(ex: Exchange, target: string, body: Buffer | undefined): string {
  const ct = ex.request.headers['content-type'];
  const recorded = ex.request.body;
  const binary = isRawBody(recorded) && recorded.text === undefined;
  const shown =
    body === undefined
      ? ''
      : binary
        ? ` <${body.length} filler bytes>`
        : ` ${clip(body.toString('utf8'), 200)}`;
  return `${ex.request.method} ${clip(target, 220)}${ct ? ` [${ct}]` : ''}${shown}`;
}

async function replayFile(
  file: TrafficFile,
  exchanges: Exchange[],
  kiln: TestKiln,
): Promise<Outcome[]> {
  const ids = IdMapper.forExchanges(exchanges);
  const tokens = new PageTokens();
  const uploads = new Map<string, Buffer>();
  const cascades: DeliberateDifference[] = [];
  const outcomes: Outcome[] = [];

  for (const ex of exchanges) {
    const label = stepLabel(ex.step);
    const area = areaOf(ex.request.path);
    const base = { seq: ex.seq, step: ex.step, label, area };
    if (!AREAS_ON.has(area)) {
      outcomes.push({
        ...base,
        verdict: 'skipped',
        request: `${ex.request.method} ${ex.request.path}`,
        diffs: [],
        notes: [`area ${area} is disabled`],
      });
      continue;
    }

    const prepared = prepareRequest(ex, ids, tokens);
    const request = describeRequest(ex, prepared.target, prepared.body);
    let reply: Reply;
    try {
      reply = await send(kiln.url, prepared);
    } catch (err) {
      outcomes.push({
        ...base,
        verdict: 'failing',
        request,
        diffs: [`no answer from Kiln: ${(err as Error).message}`],
        notes: prepared.notes,
      });
      continue;
    }

    ids.learn(ex.request, ex.response, reply.body);
    const kind = PageTokens.kindOf(ex.request);
    tokens.remember(kind, ex.response.body, reply.body);
    const mappedPath = ids.mapPath(ex.request.path);
    const artifact = artifactPathOf(mappedPath);
    if (ex.request.method === 'PUT' && artifact && reply.status === 200 && prepared.body) {
      uploads.set(artifact, prepared.body);
    }

    const expected = {
      ...ex.response,
      body: isRawBody(ex.response.body) ? ex.response.body : ids.mapJson(ex.response.body),
    };
    const allDiffs = compareExchange({
      exchange: { ...ex, request: { ...ex.request, path: mappedPath } },
      expected,
      reply,
      uploads,
    });

    // Differences caused by an earlier deliberate difference (a value stored differently).
    const explained = new Set<string>();
    const diffs = allDiffs.filter((d) => {
      const cause = cascades.find((c) => c.laterDiffs!.test(d));
      if (cause) explained.add(cause.step);
      return !cause;
    });

    const entry = deliberateDifferenceFor(file, label, ex.seq);
    let verdict: Verdict;
    let explainedBy: string | undefined;
    if (diffs.length === 0 && allDiffs.length === 0) {
      verdict = 'matched';
    } else if (diffs.length === 0) {
      verdict = 'consequence';
      explainedBy = [...explained].join(', ');
    } else if (entry && givesDocumentedAnswer(entry, reply, diffs)) {
      verdict = 'deliberate';
      explainedBy = entry.step;
    } else {
      verdict = 'failing';
      if (entry) {
        diffs.push(
          `deliberate difference ${entry.step} documents Kiln ${entry.kiln.status} ` +
            `${entry.kiln.errorCode ?? '(no error)'}, got ${reply.status} ` +
            `${errorCodeOf(reply.body) ?? '(no error)'}`,
        );
      }
    }
    if (entry?.laterDiffs && givesDocumentedAnswer(entry, reply, diffs)) cascades.push(entry);

    outcomes.push({
      ...base,
      verdict,
      request,
      diffs: verdict === 'failing' ? diffs : allDiffs,
      notes: prepared.notes,
      explainedBy,
      mlflow: describeAnswer(
        ex.response.status,
        ex.response.headers['content-type'],
        ex.response.body,
      ),
      kiln: describeReply(reply),
      kilnBody: typeof reply.body === 'object' ? reply.body : undefined,
    });
  }
  return outcomes;
}

/**
 * One database read before the replay, so that a server that cannot reach its data at all
 * fails with one clear message instead of hundreds of 500s.
 */
async function preflight(kiln: TestKiln): Promise<void> {
  const reply = await send(kiln.url, {
    method: 'GET',
    target: '/api/2.0/mlflow/experiments/get?experiment_id=0',
    headers: {},
    body: undefined,
    notes: [],
  });
  if (reply.status !== 200) {
    throw new Error(
      `Kiln cannot read its database inside this Jest process: GET experiments/get?experiment_id=0 ` +
        `answered ${reply.status} ${clip(reply.raw.toString('utf8'), 300)}. Run with ` +
        `KILN_REPLAY_LOG_LEVEL=error to see the server's log. If it says "A dynamic import ` +
        `callback was invoked without --experimental-vm-modules", the Prisma query compiler is ` +
        `loaded with import(), which Jest's VM only allows under ` +
        `NODE_OPTIONS=--experimental-vm-modules (or when ts-jest compiles with module commonjs, ` +
        `which turns import() into require()).`,
    );
  }
}

function summarise(file: TrafficFile, outcomes: Outcome[]): string {
  const count = (v: Verdict, area?: Area) =>
    outcomes.filter((o) => o.verdict === v && (area === undefined || o.area === area)).length;
  const lines: string[] = [];
  const total = outcomes.length;
  const replayed = total - count('skipped');
  lines.push(
    `${file}: matched ${count('matched')} of ${total}` +
      ` (replayed ${replayed}), deliberate ${count('deliberate')},` +
      ` consequences of deliberate ${count('consequence')}, failing ${count('failing')},` +
      ` skipped ${count('skipped')}; areas on: ${[...AREAS_ON].join(', ')}`,
  );
  for (const area of AREAS) {
    const n = outcomes.filter((o) => o.area === area).length;
    if (n === 0) continue;
    lines.push(
      `  ${area.padEnd(9)} ${n} exchanges: matched ${count('matched', area)},` +
        ` deliberate ${count('deliberate', area)}, consequence ${count('consequence', area)},` +
        ` failing ${count('failing', area)}, skipped ${count('skipped', area)}`,
    );
  }
  const deliberate = outcomes.filter((o) => o.verdict === 'deliberate');
  if (deliberate.length > 0) {
    lines.push(`  deliberate: ${deliberate.map((o) => `${o.label}#${o.seq}`).join(', ')}`);
  }
  const consequences = outcomes.filter((o) => o.verdict === 'consequence');
  if (consequences.length > 0) {
    lines.push(
      `  consequences: ${consequences.map((o) => `${o.label}#${o.seq}←${o.explainedBy}`).join(', ')}`,
    );
  }
  const stale = DELIBERATE_DIFFERENCES.filter(
    (d) =>
      d.file === file &&
      d.laterDiffs === undefined &&
      outcomes.some(
        (o) =>
          o.label === d.step && (d.seq === undefined || o.seq === d.seq) && o.verdict === 'matched',
      ),
  );
  for (const d of stale) {
    lines.push(
      `  note: ${d.step} is listed as deliberate but now matches MLflow; update the table`,
    );
  }
  const failing = outcomes.filter((o) => o.verdict === 'failing');
  if (failing.length > 0) lines.push(`  failing (${failing.length}):`);
  for (const o of failing) lines.push(formatFailure(o));
  return lines.join('\n');
}

function formatFailure(o: Outcome): string {
  const lines = [`  - #${o.seq} ${clip(o.step, 70)} [${o.area}]`, `      sent:   ${o.request}`];
  if (o.mlflow) lines.push(`      MLflow: ${o.mlflow}`);
  if (o.kiln) lines.push(`      Kiln:   ${o.kiln}`);
  for (const d of o.diffs) lines.push(`      * ${d}`);
  for (const n of o.notes) lines.push(`      (note: ${n})`);
  return lines.join('\n');
}

describe.each(TRAFFIC_FILES.map((f) => [f]))('replay of recorded MLflow traffic: %s', (file) => {
  let kiln: TestKiln | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    await kiln?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every exchange as MLflow did, or as documented', async () => {
    // A missing traffic folder fails here, with the message of trafficDir().
    const exchanges = loadExchanges(file, trafficDir());
    expect(exchanges.length).toBeGreaterThan(0);

    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-replay-'));
    const logLevel = process.env.KILN_REPLAY_LOG_LEVEL;
    kiln = await startKiln({
      KILN_DATA_DIR: dataDir,
      ...(logLevel ? { KILN_LOG_LEVEL: logLevel } : {}),
    });
    await preflight(kiln);
    const outcomes = await replayFile(file, exchanges, kiln);

    const summary = summarise(file, outcomes);
    process.stdout.write(`\n${summary}\n`);
    const reportDir = process.env.KILN_REPLAY_REPORT;
    if (reportDir) {
      mkdirSync(reportDir, { recursive: true });
      writeFileSync(
        path.join(reportDir, `${file.replace(/\.jsonl$/, '')}.report.json`),
        JSON.stringify(outcomes, null, 2),
      );
    }

    const failing = outcomes.filter((o) => o.verdict === 'failing');
    if (failing.length > 0) {
      const list = failing.map(
        (o) => `  #${o.seq} ${clip(o.step, 60)} [${o.area}]: ${clip(o.diffs[0] ?? '', 160)}`,
      );
      throw new Error(
        `${failing.length} of ${outcomes.length} exchanges of ${file} differ from MLflow ` +
          `without a documented reason (details in the summary printed above):\n${list.join('\n')}`,
      );
    }
  }, 600_000);
});
