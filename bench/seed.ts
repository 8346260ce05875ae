/**
 * Reproducible bulk data for the search and history benchmarks, written straight into a Kiln
 * database with `pg` (this is seeding, not the API under test).
 *
 * Runs come from a seeded PRNG (mulberry32) in this process; their params, tags and metric points
 * are generated in SQL from hashes of the run id and the same seed, so the same options give the
 * same rows on every machine. Metrics are loaded without their primary key and with foreign-key
 * triggers off, then the key is rebuilt in one sort, which is far faster than maintaining a
 * five-column B-tree row by row.
 *
 * Standalone: DATABASE_URL=... npx tsx bench/seed.ts [runs] [experiments] [steps] [longSteps]
 */
import { Client } from 'pg';

export interface SeedOptions {
  runs: number;
  experiments: number;
  /** Steps per metric per run (5 metrics per run). */
  steps: number;
  /** Steps of the one extra run with a single long metric ('loss'); 0 = none. */
  longSteps: number;
  seed?: number;
}

export interface SeedResult {
  experimentIds: number[];
  /** The extra run with `longSteps` points of 'loss' (in the first experiment). */
  longRunId?: string;
  /** A seeded run, for a typical short history. */
  sampleRunId: string;
  rows: Record<string, number>;
  seconds: Record<string, number>;
  totalSeconds: number;
  databaseBytes: number;
}

export const METRIC_KEYS = ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'] as const;
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
const BASE_TIME = 1_700_000_000_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex32(random: () => number): string {
  let s = '';
  for (let i = 0; i < 4; i++)
    s += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return s;
}

/**
 * A metric value in SQL for run `r`, key `k` and step `s` of `steps`: a per-(run, key) quality q
 * in [0, 1) that the run approaches as it trains, plus a little per-step noise. Used for both
 * `metrics` and `latest_metrics`, so the latest row is exactly the last step's.
 */
function valueSql(seed: number, steps: string): string {
  const q = `((hashtextextended(r.run_uuid || k.key, ${seed}) & 1048575)::float8 / 1048576)`;
  const noise = `(((hashint8extended(s.step, hashtextextended(r.run_uuid || k.key, ${seed + 1})) & 1023)::float8 / 1023 - 0.5) * 0.01)`;
  return `${q} * (0.5 + 0.5 * (s.step + 1)::float8 / ${steps}) + ${noise}`;
}

export async function seed(databaseUrl: string, options: SeedOptions): Promise<SeedResult> {
  const seedValue = options.seed ?? 42;
  const random = mulberry32(seedValue);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const seconds: Record<string, number> = {};
  const started = Date.now();
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const out = await fn();
    seconds[label] = (Date.now() - t0) / 1000;
    return out;
  };
  try {
    await client.query(`SET maintenance_work_mem = '1GB'`);
    await client.query(`SET work_mem = '256MB'`);
    await client.query(`SET synchronous_commit = off`);
    // Foreign-key triggers off while loading (superuser only): every row references a run we
    // have just inserted, and the checks would double the load time.
    await client.query(`SET session_replication_role = replica`);

    const experimentIds = await timed('experiments', async () => {
      const res = await client.query<{ experiment_id: number }>(
        `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time)
         SELECT 'bench-' || i, 'mlflow-artifacts:/bench-' || i, $1::bigint + i, $1::bigint + i
           FROM generate_series(0, $2::int - 1) AS i
         RETURNING experiment_id`,
        [BASE_TIME, options.experiments],
      );
      const ids = res.rows.map((r) => r.experiment_id).sort((a, b) => a - b);
      await client.query(
        `UPDATE experiments SET artifact_location = 'mlflow-artifacts:/' || experiment_id
          WHERE experiment_id = ANY($1::int[])`,
        [ids],
      );
      return ids;
    });

    // Runs: ids, experiments and distinct start times from the PRNG.
    const ids: string[] = [];
    const exps: number[] = [];
    const starts: number[] = [];
    const names: string[] = [];
    const users: string[] = [];
    for (let i = 0; i < options.runs; i++) {
      ids.push(hex32(random));
      exps.push(experimentIds[Math.floor(random() * experimentIds.length)]);
      // i * 1000 ms apart plus jitter below 1000 ms: distinct and roughly in creation order.
      starts.push(BASE_TIME + i * 1000 + Math.floor(random() * 1000));
      names.push(`run-${i}-${Math.floor(random() * 1e6).toString(36)}`);
      users.push(`user${Math.floor(random() * 20)}`);
    }
    const longRunId = options.longSteps > 0 ? hex32(random) : undefined;
    if (longRunId) {
      ids.push(longRunId);
      exps.push(experimentIds[0]);
      starts.push(BASE_TIME + options.runs * 1000);
      names.push('long-history');
      users.push('user0');
    }
    await timed('runs', () =>
      client.query(
        `INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time,
                           artifact_uri, lifecycle_stage)
         SELECT id, name, exp, usr, 'FINISHED', st, st + 3600000,
                'mlflow-artifacts:/' || exp || '/' || id || '/artifacts', 'active'
           FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[])
             AS u(id, exp, st, name, usr)`,
        [ids, exps, starts, names, users],
      ),
    );

    // 20 params: optimizer (one of three) and lr (one of four) for filters, 18 others.
    await timed('params', () =>
      client.query(
        `INSERT INTO params (run_uuid, key, value)
         SELECT r.run_uuid, k.key,
                CASE k.key
                  WHEN 'optimizer' THEN (ARRAY['adam','sgd','rmsprop'])[1 + (h & 2147483647) % 3]
                  WHEN 'lr' THEN (ARRAY['0.1','0.01','0.001','0.0001'])[1 + (h & 2147483647) % 4]
                  ELSE ((h & 2147483647) % 1000)::text
                END
           FROM runs r
           CROSS JOIN (SELECT unnest(ARRAY['optimizer','lr']) AS key
                       UNION ALL SELECT 'p' || i FROM generate_series(2, 19) AS i) AS k
           CROSS JOIN LATERAL (SELECT hashtextextended(r.run_uuid || k.key, $1::bigint) AS h) AS hh`,
        [seedValue],
      ),
    );

    // 10 tags, mlflow.runName equal to runs.name.
    await timed('tags', () =>
      client.query(
        `INSERT INTO tags (run_uuid, key, value)
         SELECT r.run_uuid, t.key,
                CASE t.key
                  WHEN 'mlflow.runName' THEN r.name
                  WHEN 'mlflow.user' THEN r.user_id
                  WHEN 'mlflow.source.type' THEN 'LOCAL'
                  WHEN 'mlflow.source.name' THEN 'train.py'
                  WHEN 'mlflow.source.git.commit' THEN md5(r.run_uuid || $1::bigint::text)
                  ELSE 'v' || ((hashtextextended(r.run_uuid || t.key, $1::bigint) & 2147483647) % 50)
                END
           FROM runs r
           CROSS JOIN unnest(ARRAY['mlflow.runName','mlflow.user','mlflow.source.type',
             'mlflow.source.name','mlflow.source.git.commit','team','dataset','model',
             'stage','priority']) AS t(key)`,
        [seedValue],
      ),
    );

    // Metric points: primary key dropped while loading, rebuilt afterwards.
    const keys = `unnest($2::text[]) AS k(key)`;
    await client.query(`ALTER TABLE metrics DROP CONSTRAINT metrics_pkey`);
    await timed('metrics', async () => {
      await client.query(
        `INSERT INTO metrics (run_uuid, key, step, timestamp, value)
         SELECT r.run_uuid, k.key, s.step, r.start_time + s.step * 1000,
                ${valueSql(seedValue, '$1')}
           FROM runs r CROSS JOIN ${keys} CROSS JOIN generate_series(0, $1::bigint - 1) AS s(step)
          WHERE r.run_uuid <> $3`,
        [options.steps, METRIC_KEYS, longRunId ?? ''],
      );
      if (longRunId) {
        await client.query(
          `INSERT INTO metrics (run_uuid, key, step, timestamp, value)
           SELECT r.run_uuid, k.key, s.step, r.start_time + s.step,
                  ${valueSql(seedValue, '$1')}
             FROM runs r CROSS JOIN ${keys} CROSS JOIN generate_series(0, $1::bigint - 1) AS s(step)
            WHERE r.run_uuid = $3`,
          [options.longSteps, ['loss'], longRunId],
        );
      }
    });
    await timed('metrics primary key', () =>
      client.query(
        `ALTER TABLE metrics ADD CONSTRAINT metrics_pkey
           PRIMARY KEY (run_uuid, key, step, timestamp, value)`,
      ),
    );
    await timed('latest_metrics', async () => {
      await client.query(
        `INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, experiment_id)
         SELECT r.run_uuid, k.key, s.step, r.start_time + s.step * 1000,
                ${valueSql(seedValue, '$1')}, r.experiment_id
           FROM runs r CROSS JOIN ${keys} CROSS JOIN (SELECT $1::bigint - 1 AS step) AS s
          WHERE r.run_uuid <> $3`,
        [options.steps, METRIC_KEYS, longRunId ?? ''],
      );
      if (longRunId) {
        await client.query(
          `INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, experiment_id)
           SELECT m.run_uuid, m.key, m.step, m.timestamp, m.value, r.experiment_id
             FROM metrics m JOIN runs r ON r.run_uuid = m.run_uuid
            WHERE m.run_uuid = $1 ORDER BY m.step DESC LIMIT 1`,
          [longRunId],
        );
      }
    });
    await client.query(`SET session_replication_role = origin`);
    await timed('vacuum analyze', () => client.query(`VACUUM ANALYZE`));

    const counts = await client.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM experiments) AS experiments, (SELECT count(*) FROM runs) AS runs,
              (SELECT count(*) FROM params) AS params, (SELECT count(*) FROM tags) AS tags,
              (SELECT count(*) FROM metrics) AS metrics,
              (SELECT count(*) FROM latest_metrics) AS latest_metrics,
              pg_database_size(current_database()) AS bytes`,
    );
    const { bytes, ...rows } = counts.rows[0];
    const sample = await client.query<{ run_uuid: string }>(
      `SELECT run_uuid FROM runs WHERE experiment_id = $1 AND run_uuid <> $2
        ORDER BY start_time LIMIT 1`,
      [experimentIds[0], longRunId ?? ''],
    );
    return {
      experimentIds,
      longRunId,
      sampleRunId: sample.rows[0].run_uuid,
      rows: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Number(v)])),
      seconds,
      totalSeconds: (Date.now() - started) / 1000,
      databaseBytes: Number(bytes),
    };
  } finally {
    await client.end();
  }
}

/**
 * What `seed` returns, read back from a database it seeded earlier (BENCH_DATABASE_URL), so the
 * benchmarks can be rerun without seeding again. Timings are not known then.
 */
export async function describeSeeded(databaseUrl: string): Promise<SeedResult> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exps = await client.query<{ experiment_id: number }>(
      "SELECT experiment_id FROM experiments WHERE name LIKE 'bench-%' ORDER BY experiment_id",
    );
    const experimentIds = exps.rows.map((r) => r.experiment_id);
    const long = await client.query<{ run_uuid: string }>(
      "SELECT run_uuid FROM runs WHERE name = 'long-history'",
    );
    const longRunId = long.rows[0]?.run_uuid;
    const sample = await client.query<{ run_uuid: string }>(
      `SELECT run_uuid FROM runs WHERE experiment_id = $1 AND run_uuid <> $2
        ORDER BY start_time LIMIT 1`,
      [experimentIds[0], longRunId ?? ''],
    );
    const size = await client.query<{ bytes: string }>(
      'SELECT pg_database_size(current_database()) AS bytes',
    );
    return {
      experimentIds,
      longRunId,
      sampleRunId: sample.rows[0].run_uuid,
      rows: {},
      seconds: {},
      totalSeconds: 0,
      databaseBytes: Number(size.rows[0].bytes),
    };
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  const [runs = '100000', experiments = '10', steps = '100', longSteps = '1000000'] =
    process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  seed(url, {
    runs: Number(runs),
    experiments: Number(experiments),
    steps: Number(steps),
    longSteps: Number(longSteps),
  }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
