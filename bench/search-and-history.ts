/**
 * Search, metric history and ingestion over a seeded database (issue 4, "Benchmarks").
 *
 * Seeds RUNS runs in EXPERIMENTS experiments with 5 metrics x STEPS steps each, plus one run with
 * LONG_STEPS points of one metric (bench/seed.ts), then drives the built server with autocannon.
 * Run: npm run build && npx tsx bench/search-and-history.ts
 * Sizes: BENCH_RUNS, BENCH_EXPERIMENTS, BENCH_STEPS, BENCH_LONG_STEPS, BENCH_SECONDS (per scenario).
 * BENCH_DATABASE_URL: a database seeded earlier (by bench/seed.ts), used as is instead of seeding.
 */
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { decodeRunSearchToken } from '../src/search/page-token';
import { planRunSearch } from '../src/search/run-search-sql';
import { describeSeeded, seed } from './seed';
import { benchServer, load, LoadResult, table } from './support';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RUNS = env('BENCH_RUNS', 100_000);
const EXPERIMENTS = env('BENCH_EXPERIMENTS', 10);
const STEPS = env('BENCH_STEPS', 100);
const LONG_STEPS = env('BENCH_LONG_STEPS', 1_000_000);
const SECONDS = env('BENCH_SECONDS', 12);
const DEEP_PAGE = env('BENCH_DEEP_PAGE', 50);

const API = '/api/2.0/mlflow';
const FILTER = "metrics.accuracy > 0.5 and params.optimizer = 'adam'";
const ORDER_BY = ['metrics.loss ASC'];

/** Request n goes to run n mod runIds.length, each request a new range of steps. */
const batch = (runIds: string[], size: number) => (n: number) => {
  const keys = Math.min(size, 10);
  const steps = size / keys;
  return {
    run_id: runIds[n % runIds.length],
    metrics: Array.from({ length: size }, (_, i) => ({
      key: `m${i % keys}`,
      value: Math.random(),
      timestamp: 1_700_000_000_000 + n,
      step: n * steps + Math.floor(i / keys),
    })),
  };
};

/** The plan of the first query of the page a token points at. */
async function explain(databaseUrl: string, experimentIds: number[], pageToken?: string) {
  const plan = planRunSearch({
    experimentIds,
    filter: FILTER,
    orderBy: ORDER_BY,
    viewType: 'ACTIVE_ONLY',
  });
  const sql = plan.query(decodeRunSearchToken(pageToken), 100);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`,
      sql.values,
    );
    return [sql.text, ...res.rows.map((r) => r['QUERY PLAN'])].join('\n');
  } finally {
    await client.end();
  }
}

async function main() {
  const existing = process.env.BENCH_DATABASE_URL;
  const kiln = await benchServer({ KILN_AUTH: 'off' }, existing);
  const results: LoadResult[] = [];
  const run = async (r: Promise<LoadResult>) => {
    const result = await r;
    console.log(`${table([result]).split('\n')[2]} load avg ${loadavg()[0].toFixed(2)}`);
    results.push(result);
    return result;
  };
  try {
    const seeded = existing
      ? await describeSeeded(existing)
      : await seed(kiln.databaseUrl, {
          runs: RUNS,
          experiments: EXPERIMENTS,
          steps: STEPS,
          longSteps: LONG_STEPS,
        });
    console.log('seed', JSON.stringify(seeded));
    const all = seeded.experimentIds.map(String);
    const one = [all[0]];
    const searchBody = (experimentIds: string[], pageToken?: string) => ({
      experiment_ids: experimentIds,
      filter: FILTER,
      order_by: ORDER_BY,
      max_results: 100,
      ...(pageToken ? { page_token: pageToken } : {}),
    });
    const searchUrl = `${kiln.url}${API}/runs/search`;

    // Sanity: the search answers with 100 runs.
    const first = await kiln.call('POST', `${API}/runs/search`, searchBody(all));
    if (first.status !== 200 || first.body.runs?.length !== 100) {
      throw new Error(`search failed: ${first.status} ${JSON.stringify(first.body).slice(0, 300)}`);
    }
    // Warm-up (JIT, connection pool, page cache).
    await load('warm-up', { url: searchUrl, body: searchBody(all), connections: 10, seconds: 3 });

    await run(
      load(`runs/search ${EXPERIMENTS} experiments, filter + order_by metric, page 1`, {
        url: searchUrl,
        body: searchBody(all),
        connections: 10,
        seconds: SECONDS,
      }),
    );
    await run(
      load(`runs/search ${EXPERIMENTS} experiments, filter + order_by metric, page 1, 1 client`, {
        url: searchUrl,
        body: searchBody(all),
        connections: 1,
        seconds: SECONDS,
      }),
    );
    await run(
      load('runs/search 1 experiment, filter + order_by metric, page 1', {
        url: searchUrl,
        body: searchBody(one),
        connections: 10,
        seconds: SECONDS,
      }),
    );
    await run(
      load(`runs/search ${EXPERIMENTS} experiments, param filter, default order, page 1`, {
        url: searchUrl,
        body: { ...searchBody(all), filter: "params.optimizer = 'adam'", order_by: [] },
        connections: 10,
        seconds: SECONDS,
      }),
    );

    // Deep pagination: follow tokens to page 50, then load page 50.
    let token: string | undefined;
    const t0 = Date.now();
    for (let page = 1; page < DEEP_PAGE; page++) {
      const res = await kiln.call('POST', `${API}/runs/search`, searchBody(all, token));
      token = res.body.next_page_token as string | undefined;
      if (!token) throw new Error(`no page token after page ${page}`);
    }
    const followMs = Date.now() - t0;
    console.log(
      `following tokens to page ${DEEP_PAGE} took ${followMs} ms (${DEEP_PAGE - 1} requests)`,
    );
    const page50 = await kiln.call('POST', `${API}/runs/search`, searchBody(all, token));
    if (page50.body.runs?.length !== 100) throw new Error(`page ${DEEP_PAGE} is not full`);
    await run(
      load(`runs/search ${EXPERIMENTS} experiments, filter + order_by metric, page ${DEEP_PAGE}`, {
        url: searchUrl,
        body: searchBody(all, token),
        connections: 10,
        seconds: SECONDS,
      }),
    );

    // Metric history.
    if (seeded.longRunId) {
      const q = `run_id=${seeded.longRunId}&metric_key=loss`;
      const t1 = Date.now();
      let points = 0;
      let pages = 0;
      let pageToken: string | undefined;
      do {
        const res = await kiln.call(
          'GET',
          `${API}/metrics/get-history?${q}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`,
        );
        points += (res.body.metrics as unknown[]).length;
        pages += 1;
        pageToken = res.body.next_page_token as string | undefined;
      } while (pageToken);
      const fullMs = Date.now() - t1;
      console.log(
        `full get-history of ${points} points: ${pages} pages in ${fullMs} ms (1 client)`,
      );
      results.push({
        name: `metrics/get-history ${points} points, all ${pages} pages followed, 1 client`,
        requests: 1,
        throughput: 0,
        p50: fullMs,
        p95: fullMs,
        p99: fullMs,
        errors: points === LONG_STEPS ? 0 : 1,
      });
      await run(
        load(`metrics/get-history 1M-point key, first page (25,000 points)`, {
          url: `${kiln.url}${API}/metrics/get-history?${q}`,
          method: 'GET',
          connections: 10,
          seconds: SECONDS,
        }),
      );
      const sampledUrl = `${kiln.url}${API}/metrics/get-history-bulk-interval?run_ids=${seeded.longRunId}&metric_key=loss&max_results=320`;
      for (const connections of [10, 1]) {
        await run(
          load(
            `metrics/get-history-bulk-interval 1M-point key, max_results=320, ${connections} client(s)`,
            { url: sampledUrl, method: 'GET', connections, seconds: SECONDS },
          ),
        );
      }
    }
    await run(
      load(`metrics/get-history ${STEPS}-point key of a seeded run`, {
        url: `${kiln.url}${API}/metrics/get-history?run_id=${seeded.sampleRunId}&metric_key=loss`,
        method: 'GET',
        connections: 10,
        seconds: SECONDS,
      }),
    );

    // Ingestion: 20 clients, each on its own new run.
    const runIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await kiln.call('POST', `${API}/runs/create`, {
        experiment_id: all[0],
        start_time: Date.now(),
      });
      runIds.push(created.body.run.info.run_id as string);
    }
    const batchUrl = `${kiln.url}${API}/runs/log-batch`;
    await load('warm-up', {
      url: batchUrl,
      bodyAt: batch(runIds, 10),
      connections: 20,
      seconds: 3,
    });
    await run(
      load('log-batch 10 metrics, 20 clients flat out', {
        url: batchUrl,
        bodyAt: batch(runIds, 10),
        connections: 20,
        seconds: SECONDS,
      }),
    );
    // Twenty training jobs logging every 50 ms and every 20 ms: latency when the server is not
    // saturated (each scenario on new steps, so no point is a re-log).
    for (const [i, rate] of [400, 1000].entries()) {
      await run(
        load(`log-batch 10 metrics, 20 clients at ${rate} req/s`, {
          url: batchUrl,
          bodyAt: (n) => batch(runIds, 10)(n + (i + 2) * 1_000_000),
          connections: 20,
          seconds: SECONDS,
          rate,
        }),
      );
    }
    const big = await run(
      load('log-batch 1000 metrics, 20 clients', {
        url: batchUrl,
        bodyAt: (n) => batch(runIds, 1000)(n + 1_000_000),
        connections: 20,
        seconds: SECONDS,
      }),
    );
    let m = 0;
    await run(
      load('log-metric single, 20 clients', {
        url: `${kiln.url}${API}/runs/log-metric`,
        bodyAt: () => {
          const n = m++;
          return {
            run_id: runIds[n % runIds.length],
            key: 'single',
            value: Math.random(),
            timestamp: 1_700_000_000_000 + n,
            step: n,
          };
        },
        connections: 20,
        seconds: SECONDS,
      }),
    );
    const check = await kiln.call(
      'GET',
      `${API}/metrics/get-history?run_id=${runIds[0]}&metric_key=m0`,
    );
    console.log(`run 0, m0 history points after ingestion: ${check.body.metrics?.length}`);

    console.log('\n' + table(results));
    console.log(
      `\ningestion via log-batch of 1000: ${big.throughput * 1000} metric points/s (${big.throughput} req/s)`,
    );
    console.log(`deep pagination: following tokens to page ${DEEP_PAGE} took ${followMs} ms`);
    if (process.env.BENCH_EXPLAIN !== '0') {
      console.log(
        '\nEXPLAIN page 1, all experiments:\n' +
          (await explain(kiln.databaseUrl, seeded.experimentIds)),
      );
      console.log(
        '\nEXPLAIN page 1, one experiment:\n' +
          (await explain(kiln.databaseUrl, seeded.experimentIds.slice(0, 1))),
      );
      console.log(
        `\nEXPLAIN page ${DEEP_PAGE}, all experiments:\n` +
          (await explain(kiln.databaseUrl, seeded.experimentIds, token)),
      );
    }
  } finally {
    await kiln.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
