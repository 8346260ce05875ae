import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from 'src/db/prisma.service';
import type { Prisma, Run as RunRow } from 'src/generated/prisma/client';
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

function toInfo(row: RunRow): RunInfo {
  return {
    runId: row.runUuid,
    runName: row.name,
    experimentId: String(row.experimentId),
    userId: row.userId,
    status: row.status as RunStatus,
    startTime: Number(row.startTime),
    endTime: row.endTime === null ? null : Number(row.endTime),
    artifactUri: row.artifactUri,
    lifecycleStage: row.lifecycleStage as LifecycleStage,
  };
}

interface MetricRow {
  key: string;
  step: bigint;
  timestamp: bigint;
  value: number;
}

const toMetric = (m: MetricRow): Metric => ({
  key: m.key,
  step: Number(m.step),
  timestamp: Number(m.timestamp),
  value: m.value,
});

/** Orders metric tuples as Postgres does: NaN above every number. */
function compareMetric(a: Metric, b: Metric): number {
  const value = (v: number) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);
  return a.step - b.step || a.timestamp - b.timestamp || value(a.value) - value(b.value);
}

/** The latest entry per key of a batch, the candidates for latest_metrics. */
function latestPerKey(metrics: Metric[]): Metric[] {
  const latest = new Map<string, Metric>();
  for (const m of metrics) {
    const current = latest.get(m.key);
    if (!current || compareMetric(m, current) > 0) latest.set(m.key, m);
  }
  return [...latest.values()];
}

/** Later tags of one key win, as in MLflow's log-batch. */
function lastPerKey(tags: KeyValue[]): KeyValue[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

/** Doubles travel as text: Prisma's raw-query arrays would turn NaN into NULL. */
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
    const row = await this.prisma.run.findUnique({ where: { runUuid: runId } });
    return row ? toInfo(row) : null;
  }

  async getRuns(runIds: string[]) {
    if (runIds.length === 0) return [];
    const where = { runUuid: { in: runIds } };
    // Five set-based reads for the whole page, never one per run.
    const [rows, params, tags, metrics, inputs] = await Promise.all([
      this.prisma.run.findMany({ where }),
      this.prisma.param.findMany({ where }),
      this.prisma.tag.findMany({ where }),
      this.prisma.latestMetric.findMany({ where }),
      this.prisma.runInput.findMany({ where, include: { dataset: true } }),
    ]);
    const runs = new Map<string, Run>(
      rows.map((row) => [
        row.runUuid,
        { info: toInfo(row), metrics: [], params: [], tags: [], datasetInputs: [] },
      ]),
    );
    for (const p of params) runs.get(p.runUuid)?.params.push({ key: p.key, value: p.value });
    for (const t of tags) runs.get(t.runUuid)?.tags.push({ key: t.key, value: t.value });
    for (const m of metrics) runs.get(m.runUuid)?.metrics.push(toMetric(m));
    for (const input of inputs) {
      const d = input.dataset;
      runs.get(input.runUuid)?.datasetInputs.push({
        tags: input.tags as unknown as KeyValue[],
        dataset: {
          name: d.name,
          digest: d.digest,
          sourceType: d.sourceType,
          source: d.source,
          ...(d.schema !== null ? { schema: d.schema } : {}),
          ...(d.profile !== null ? { profile: d.profile } : {}),
        },
      });
    }
    return runIds.flatMap((id) => runs.get(id) ?? []);
  }

  async update(runId: string, update: RunUpdate) {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.run.update({
        where: { runUuid: runId },
        data: {
          ...(update.status !== undefined ? { status: update.status } : {}),
          ...(update.endTime !== undefined ? { endTime: BigInt(update.endTime) } : {}),
          ...(update.runName !== undefined ? { name: update.runName } : {}),
        },
      });
      if (update.runName !== undefined) {
        await this.upsertTags(tx, runId, [{ key: RUN_NAME_TAG, value: update.runName }]);
      }
      return toInfo(row);
    });
  }

  async setLifecycle(runId: string, stage: LifecycleStage) {
    await this.prisma.run.update({
      where: { runUuid: runId },
      data: { lifecycleStage: stage, deletedTime: stage === 'deleted' ? BigInt(Date.now()) : null },
    });
  }

  async logBatch(runId: string, batch: Batch) {
    await this.prisma.$transaction(async (tx) => {
      if (batch.params.length > 0) await this.insertParams(tx, runId, batch.params);
      if (batch.tags.length > 0) await this.upsertTags(tx, runId, lastPerKey(batch.tags));
      if (batch.metrics.length > 0) await this.insertMetrics(tx, runId, batch.metrics);
    });
  }

  /** Inserts new params; an existing key with another value aborts the transaction. */
  private async insertParams(tx: Prisma.TransactionClient, runId: string, params: KeyValue[]) {
    const conflicts = await tx.$queryRawUnsafe<{ key: string; old: string; new: string }[]>(
      `WITH input AS (SELECT * FROM unnest($2::text[], $3::text[]) AS u(key, value)),
            inserted AS (
              INSERT INTO params (run_uuid, key, value) SELECT $1, key, value FROM input
              ON CONFLICT DO NOTHING RETURNING key)
       SELECT p.key, p.value AS old, i.value AS new
         FROM params p JOIN input i ON p.key = i.key
        WHERE p.run_uuid = $1 AND p.value <> i.value`,
      runId,
      params.map((p) => p.key),
      params.map((p) => p.value),
    );
    if (conflicts.length > 0) {
      const c = conflicts[0];
      throw new ParamConflict(c.key, c.old, c.new);
    }
  }

  private async upsertTags(tx: Prisma.TransactionClient, runId: string, tags: KeyValue[]) {
    await tx.$executeRawUnsafe(
      `INSERT INTO tags (run_uuid, key, value)
       SELECT $1, key, value FROM unnest($2::text[], $3::text[]) AS u(key, value)
       ON CONFLICT (run_uuid, key) DO UPDATE SET value = EXCLUDED.value`,
      runId,
      tags.map((t) => t.key),
      tags.map((t) => t.value),
    );
    const runName = tags.find((t) => t.key === RUN_NAME_TAG);
    if (runName) {
      await tx.run.update({ where: { runUuid: runId }, data: { name: runName.value } });
    }
  }

  private async insertMetrics(tx: Prisma.TransactionClient, runId: string, metrics: Metric[]) {
    await tx.$executeRawUnsafe(
      `INSERT INTO metrics (run_uuid, key, step, timestamp, value)
       SELECT $1, key, step, ts, value
         FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[]::float8[]) AS u(key, step, ts, value)
       ON CONFLICT DO NOTHING`,
      runId,
      ...columns(metrics),
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value)
       SELECT $1, key, step, ts, value
         FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[]::float8[]) AS u(key, step, ts, value)
       ON CONFLICT (run_uuid, key) DO UPDATE
          SET step = EXCLUDED.step, timestamp = EXCLUDED.timestamp, value = EXCLUDED.value
        WHERE (EXCLUDED.step, EXCLUDED.timestamp, EXCLUDED.value)
            > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
      runId,
      ...columns(latestPerKey(metrics)),
    );
  }

  async deleteTag(runId: string, key: string) {
    const { count } = await this.prisma.tag.deleteMany({ where: { runUuid: runId, key } });
    return count > 0;
  }

  async appendLoggedModel(runId: string, modelJson: unknown) {
    await this.prisma.$transaction(async (tx) => {
      // Row lock on the run so two concurrent log-model calls both land in the history.
      await tx.$queryRaw`SELECT 1 FROM runs WHERE run_uuid = ${runId} FOR UPDATE`;
      const tag = await tx.tag.findUnique({
        where: { runUuid_key: { runUuid: runId, key: MODEL_HISTORY_TAG } },
      });
      const history: unknown[] = tag ? (JSON.parse(tag.value) as unknown[]) : [];
      history.push(modelJson);
      await this.upsertTags(tx, runId, [
        { key: MODEL_HISTORY_TAG, value: JSON.stringify(history) },
      ]);
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
    const rows = await this.prisma.$queryRawUnsafe<MetricRow[]>(
      `SELECT key, step, timestamp, value FROM metrics
        WHERE run_uuid = $1 AND key = $2
          AND ($3::bigint IS NULL OR (step, timestamp, value) > ($3::bigint, $4::bigint, $5::text::float8))
        ORDER BY step, timestamp, value
        LIMIT $6`,
      runId,
      key,
      after?.step ?? null,
      after?.timestamp ?? null,
      after ? doubleText(after.value) : null,
      limit,
    );
    return rows.map(toMetric);
  }

  async sampledHistory(
    runIds: string[],
    key: string,
    perRun: number,
    steps?: { start: number; end: number },
  ) {
    // For each run: its first and last step in range, then `perRun` evenly spaced target steps,
    // each answered by one index probe, so a million-point history costs a few hundred lookups.
    const rows = await this.prisma.$queryRawUnsafe<(MetricRow & { run_uuid: string })[]>(
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
      runIds,
      key,
      perRun,
      steps?.start ?? null,
      steps?.end ?? null,
    );
    return rows.map((r) => ({ ...toMetric(r), runId: r.run_uuid }));
  }

  async searchIds(sql: { text: string; values: unknown[] }) {
    const rows = await this.prisma.$queryRawUnsafe<{ run_uuid: string }[]>(sql.text, ...sql.values);
    return rows.map((r) => r.run_uuid);
  }

  async tagValue(runId: string, key: string) {
    const tag = await this.prisma.tag.findUnique({
      where: { runUuid_key: { runUuid: runId, key } },
    });
    return tag ? { key: tag.key, value: tag.value } : null;
  }
}
