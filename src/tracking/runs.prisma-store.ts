import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService, type Queryable } from 'src/db/prisma.service';
import type { Prisma } from 'src/generated/prisma/client';
import type { RunSearchRow, SqlQuery } from 'src/search';
import type {
  Batch,
  DatasetInput,
  KeyValue,
  LifecycleStage,
  Metric,
  NewRun,
  Run,
  RunInfo,
  RunStatus,
  RunUpdate,
} from './entities';
import { type HistoryCursor, ParamConflict, RunsStore } from './runs.store';

const RUN_NAME_TAG = 'mlflow.runName';
const MODEL_HISTORY_TAG = 'mlflow.log-model.history';

/** A runs row as pg returns it (int8 columns come as strings). */
interface RunRow {
  run_uuid: string;
  name: string;
  experiment_id: number;
  user_id: string;
  status: string;
  start_time: string;
  end_time: string | null;
  artifact_uri: string;
  lifecycle_stage: string;
}

const RUN_COLUMNS =
  'run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage';

function toInfo(row: RunRow): RunInfo {
  return {
    runId: row.run_uuid,
    runName: row.name,
    experimentId: String(row.experiment_id),
    userId: row.user_id,
    status: row.status as RunStatus,
    startTime: Number(row.start_time),
    endTime: row.end_time === null ? null : Number(row.end_time),
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
  };
}

interface MetricRow {
  key: string;
  step: string | bigint;
  timestamp: string | bigint;
  value: number;
}

interface KeyValueRow {
  run_uuid: string;
  key: string;
  value: string;
}

interface InputRow {
  run_uuid: string;
  tags: KeyValue[];
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

const toMetric = (m: MetricRow): Metric => ({
  key: m.key,
  step: Number(m.step),
  timestamp: Number(m.timestamp),
  value: m.value,
});

/** A unique violation of the metrics primary key: the same point was logged before. */
function isMetricsKeyConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'metrics_pkey';
}

/** Later tags of one key win, as in MLflow's log-batch. */
function lastPerKey(tags: KeyValue[]): KeyValue[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

/** Doubles travel as text, so NaN survives the array encoding of any driver. */
const doubleText = (value: number) => String(value);

function columns(metrics: Metric[]) {
  return [
    metrics.map((m) => m.key),
    metrics.map((m) => m.step),
    metrics.map((m) => m.timestamp),
    metrics.map((m) => doubleText(m.value)),
  ];
}

@Injectable()
export class PrismaRunsStore extends RunsStore {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async create(run: NewRun) {
    await this.prisma.run.create({
      data: {
        runUuid: run.runId,
        name: run.runName,
        experimentId: Number(run.experimentId),
        userId: run.userId,
        startTime: BigInt(run.startTime),
        artifactUri: run.artifactUri,
        tags: { create: lastPerKey(run.tags) },
      },
    });
  }

  async getInfo(runId: string) {
    const [row] = await this.prisma.rows<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = $1`,
      [runId],
    );
    return row ? toInfo(row) : null;
  }

  async getRuns(runIds: string[]) {
    if (runIds.length === 0) return [];
    const ids = [runIds];
    // Five set-based reads for the whole page, never one per run.
    const [rows, params, tags, metrics, inputs] = await Promise.all([
      this.prisma.rows<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = ANY($1)`, ids),
      this.prisma.rows<KeyValueRow>(
        'SELECT run_uuid, key, value FROM params WHERE run_uuid = ANY($1)',
        ids,
      ),
      this.prisma.rows<KeyValueRow>(
        'SELECT run_uuid, key, value FROM tags WHERE run_uuid = ANY($1)',
        ids,
      ),
      this.prisma.rows<MetricRow & { run_uuid: string }>(
        'SELECT run_uuid, key, step, timestamp, value FROM latest_metrics WHERE run_uuid = ANY($1)',
        ids,
      ),
      this.prisma.rows<InputRow>(
        `SELECT i.run_uuid, i.tags, d.name, d.digest, d.dataset_source_type, d.dataset_source,
                d.dataset_schema, d.dataset_profile
           FROM run_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid
          WHERE i.run_uuid = ANY($1)`,
        ids,
      ),
    ]);
    const runs = new Map<string, Run>(
      rows.map((row) => [
        row.run_uuid,
        { info: toInfo(row), metrics: [], params: [], tags: [], datasetInputs: [] },
      ]),
    );
    for (const p of params) runs.get(p.run_uuid)?.params.push({ key: p.key, value: p.value });
    for (const t of tags) runs.get(t.run_uuid)?.tags.push({ key: t.key, value: t.value });
    for (const m of metrics) runs.get(m.run_uuid)?.metrics.push(toMetric(m));
    for (const d of inputs) {
      runs.get(d.run_uuid)?.datasetInputs.push({
        tags: d.tags,
        dataset: {
          name: d.name,
          digest: d.digest,
          sourceType: d.dataset_source_type,
          source: d.dataset_source,
          ...(d.dataset_schema !== null ? { schema: d.dataset_schema } : {}),
          ...(d.dataset_profile !== null ? { profile: d.dataset_profile } : {}),
        },
      });
    }
    return runIds.flatMap((id) => runs.get(id) ?? []);
  }

  async update(runId: string, update: RunUpdate) {
    return this.prisma.transaction(async (q) => {
      const [row] = await q.rows<RunRow>(
        `UPDATE runs SET status = COALESCE($2, status), end_time = COALESCE($3, end_time),
                         name = COALESCE($4, name)
          WHERE run_uuid = $1 RETURNING ${RUN_COLUMNS}`,
        [runId, update.status ?? null, update.endTime ?? null, update.runName ?? null],
      );
      if (update.runName !== undefined) {
        await this.upsertTags(q, runId, [{ key: RUN_NAME_TAG, value: update.runName }]);
      }
      return toInfo(row);
    });
  }

  async setLifecycle(runId: string, stage: LifecycleStage) {
    await this.prisma.rows(
      'UPDATE runs SET lifecycle_stage = $2, deleted_time = $3 WHERE run_uuid = $1',
      [runId, stage, stage === 'deleted' ? Date.now() : null],
    );
  }

  async logBatch(runId: string, batch: Batch) {
    await this.prisma.transaction(async (q) => {
      if (batch.params.length > 0) await this.insertParams(q, runId, batch.params);
      if (batch.tags.length > 0) await this.upsertTags(q, runId, lastPerKey(batch.tags));
      if (batch.metrics.length > 0) {
        await this.insertMetrics(q, runId, batch.metrics, 'skip-existing');
      }
    });
  }

  async logMetrics(runId: string, metrics: Metric[]) {
    // One statement is one transaction: no BEGIN/COMMIT round trips on the hottest write path.
    // It first inserts the history without ON CONFLICT, which costs about a third less per row;
    // a re-logged identical point (a client retry) fails that statement, which wrote nothing,
    // and the batch is then written again skipping the points already there.
    let rows;
    try {
      rows = await this.insertMetrics(this.prisma, runId, metrics, 'fresh');
    } catch (err) {
      if (!isMetricsKeyConflict(err)) throw err;
      rows = await this.insertMetrics(this.prisma, runId, metrics, 'skip-existing');
    }
    return (rows[0]?.lifecycle_stage as LifecycleStage | undefined) ?? null;
  }

  /** Inserts new params; an existing key with another value aborts the transaction. */
  private async insertParams(q: Queryable, runId: string, params: KeyValue[]) {
    const conflicts = await q.rows<{ key: string; old: string; new: string }>(
      `WITH input AS (SELECT * FROM unnest($2::text[], $3::text[]) AS u(key, value)),
            inserted AS (
              INSERT INTO params (run_uuid, key, value) SELECT $1, key, value FROM input
              ON CONFLICT DO NOTHING RETURNING key)
       SELECT p.key, p.value AS old, i.value AS new
         FROM params p JOIN input i ON p.key = i.key
        WHERE p.run_uuid = $1 AND p.value <> i.value`,
      [runId, params.map((p) => p.key), params.map((p) => p.value)],
    );
    if (conflicts.length > 0) {
      const c = conflicts[0];
      throw new ParamConflict(c.key, c.old, c.new);
    }
  }

  private async upsertTags(q: Queryable, runId: string, tags: KeyValue[]) {
    await q.rows(
      `INSERT INTO tags (run_uuid, key, value)
       SELECT $1, key, value FROM unnest($2::text[], $3::text[]) AS u(key, value)
       ON CONFLICT (run_uuid, key) DO UPDATE SET value = EXCLUDED.value`,
      [runId, tags.map((t) => t.key), tags.map((t) => t.value)],
    );
    const runName = tags.find((t) => t.key === RUN_NAME_TAG);
    if (runName) {
      await q.rows('UPDATE runs SET name = $2 WHERE run_uuid = $1', [runId, runName.value]);
    }
  }

  /**
   * Appends to the history and moves latest_metrics forward, in one statement, only if the run
   * is active; returns the run's lifecycle stage as that statement saw it (no row: no run). The
   * latest entry of a key is the largest (step, timestamp, value), NaN above every number, which
   * is how Postgres compares these rows on both sides.
   */
  private insertMetrics(
    q: Queryable,
    runId: string,
    metrics: Metric[],
    history: 'fresh' | 'skip-existing',
  ) {
    return q.rows<{ lifecycle_stage: string }>(
      // The run id is written from the run row, never from $1, so an id that is too long for
      // the column finds no run (404) instead of failing a cast.
      `WITH run AS (
              SELECT run_uuid, experiment_id, lifecycle_stage FROM runs WHERE run_uuid = $1::text),
            input AS (
              SELECT run.run_uuid, run.experiment_id, u.* FROM run,
                     unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[]::float8[])
                       AS u(key, step, ts, value)
               WHERE run.lifecycle_stage = 'active'),
            history AS (
              INSERT INTO metrics (run_uuid, key, step, timestamp, value)
              SELECT run_uuid, key, step, ts, value FROM input
              ${history === 'skip-existing' ? 'ON CONFLICT DO NOTHING' : ''}),
            latest AS (
              INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, experiment_id)
              SELECT DISTINCT ON (key) run_uuid, key, step, ts, value, experiment_id
                FROM input
               ORDER BY key, step DESC, ts DESC, value DESC
              ON CONFLICT (run_uuid, key) DO UPDATE
                 SET step = EXCLUDED.step, timestamp = EXCLUDED.timestamp, value = EXCLUDED.value
               WHERE (EXCLUDED.step, EXCLUDED.timestamp, EXCLUDED.value)
                   > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value))
       SELECT lifecycle_stage FROM run`,
      [runId, ...columns(metrics)],
    );
  }

  async deleteTag(runId: string, key: string) {
    const { count } = await this.prisma.tag.deleteMany({ where: { runUuid: runId, key } });
    return count > 0;
  }

  async appendLoggedModel(runId: string, modelJson: unknown) {
    await this.prisma.transaction(async (q) => {
      // Row lock on the run so two concurrent log-model calls both land in the history.
      await q.rows('SELECT 1 FROM runs WHERE run_uuid = $1 FOR UPDATE', [runId]);
      const [tag] = await q.rows<{ value: string }>(
        'SELECT value FROM tags WHERE run_uuid = $1 AND key = $2',
        [runId, MODEL_HISTORY_TAG],
      );
      const history: unknown[] = tag ? (JSON.parse(tag.value) as unknown[]) : [];
      history.push(modelJson);
      await this.upsertTags(q, runId, [{ key: MODEL_HISTORY_TAG, value: JSON.stringify(history) }]);
    });
  }

  async logInputs(runId: string, experimentId: string, inputs: DatasetInput[]) {
    await this.prisma.$transaction(async (tx) => {
      for (const input of inputs) {
        const d = input.dataset;
        const dataset = await tx.dataset.upsert({
          where: {
            experimentId_name_digest: {
              experimentId: Number(experimentId),
              name: d.name,
              digest: d.digest,
            },
          },
          create: {
            datasetUuid: randomUUID(),
            experimentId: Number(experimentId),
            name: d.name,
            digest: d.digest,
            sourceType: d.sourceType,
            source: d.source,
            schema: d.schema ?? null,
            profile: d.profile ?? null,
          },
          update: {},
        });
        await tx.runInput.upsert({
          where: { runUuid_datasetUuid: { runUuid: runId, datasetUuid: dataset.datasetUuid } },
          create: {
            runUuid: runId,
            datasetUuid: dataset.datasetUuid,
            tags: input.tags as unknown as Prisma.InputJsonValue,
          },
          update: {},
        });
      }
    });
  }

  async metricHistory(runId: string, key: string, after: HistoryCursor | undefined, limit: number) {
    const rows = await this.prisma.rows<MetricRow>(
      `SELECT key, step, timestamp, value FROM metrics
        WHERE run_uuid = $1 AND key = $2
          AND ($3::bigint IS NULL OR (step, timestamp, value) > ($3::bigint, $4::bigint, $5::text::float8))
        ORDER BY step, timestamp, value
        LIMIT $6`,
      [
        runId,
        key,
        after?.step ?? null,
        after?.timestamp ?? null,
        after ? doubleText(after.value) : null,
        limit,
      ],
    );
    return rows.map(toMetric);
  }

  async historyOfRuns(runIds: string[], key: string, perRun: number) {
    // One query for all runs: each run's points come from its own index range (LATERAL).
    const rows = await this.prisma.rows<MetricRow & { run_uuid: string }>(
      `SELECT r.run_uuid, m.key, m.step, m.timestamp, m.value
         FROM unnest($1::text[]) AS r(run_uuid)
         CROSS JOIN LATERAL (
           SELECT key, step, timestamp, value FROM metrics
            WHERE run_uuid = r.run_uuid AND key = $2
            ORDER BY step, timestamp, value LIMIT $3) m
        ORDER BY r.run_uuid, m.step, m.timestamp, m.value`,
      [runIds, key, perRun],
    );
    return rows.map((r) => ({ ...toMetric(r), runId: r.run_uuid }));
  }

  async sampledHistory(
    runIds: string[],
    key: string,
    perRun: number,
    steps?: { start: number; end: number },
  ) {
    // For each run: its first and last step in range, then `perRun` evenly spaced target steps,
    // each answered by one index probe, so a million-point history costs a few hundred lookups.
    const rows = await this.prisma.rows<MetricRow & { run_uuid: string }>(
      `SELECT DISTINCT m.run_uuid, m.key, m.step, m.timestamp, m.value
         FROM unnest($1::text[]) AS r(run_uuid)
         CROSS JOIN LATERAL (
           SELECT step FROM metrics WHERE run_uuid = r.run_uuid AND key = $2
              AND step >= COALESCE($4::bigint, step) ORDER BY step ASC LIMIT 1) lo
         CROSS JOIN LATERAL (
           SELECT step FROM metrics WHERE run_uuid = r.run_uuid AND key = $2
              AND step <= COALESCE($5::bigint, step) ORDER BY step DESC LIMIT 1) hi
         CROSS JOIN LATERAL generate_series(0, GREATEST($3::int - 1, 0)) AS g(i)
         CROSS JOIN LATERAL (
           SELECT run_uuid, key, step, timestamp, value FROM metrics
            WHERE run_uuid = r.run_uuid AND key = $2
              AND step >= lo.step + (hi.step - lo.step) * g.i / GREATEST($3::int - 1, 1)
              AND step <= hi.step
            ORDER BY step, timestamp, value LIMIT 1) m
        WHERE lo.step <= hi.step
        ORDER BY m.run_uuid, m.step, m.timestamp, m.value`,
      [runIds, key, perRun, steps?.start ?? null, steps?.end ?? null],
    );
    return rows.map((r) => ({ ...toMetric(r), runId: r.run_uuid }));
  }

  async searchRows(sql: SqlQuery) {
    return this.prisma.rows<RunSearchRow>(sql.text, sql.values);
  }
}
