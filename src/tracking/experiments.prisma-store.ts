import { Injectable } from '@nestjs/common';
import { PrismaService } from 'src/db/prisma.service';
import type { Experiment, KeyValue, LifecycleStage } from './entities';
import { ExperimentsStore } from './experiments.store';

interface Row {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: string;
  last_update_time: string;
  tags: KeyValue[];
}

function toExperiment(row: Row): Experiment {
  return {
    experimentId: String(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    creationTime: Number(row.creation_time),
    lastUpdateTime: Number(row.last_update_time),
    tags: row.tags,
  };
}

/** Experiments with their tags as a JSON array, in one query. */
const SELECT_EXPERIMENTS = `
  SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time,
         e.last_update_time,
         COALESCE((SELECT json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key)
                     FROM experiment_tags t WHERE t.experiment_id = e.experiment_id), '[]') AS tags
    FROM experiments e`;

@Injectable()
export class PrismaExperimentsStore extends ExperimentsStore {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async create(name: string, artifactLocation: string | undefined, tags: KeyValue[]) {
    return this.prisma.$transaction(async (tx) => {
      // The default location embeds the id, so the id is drawn before the insert.
      const [{ id }] = await tx.$queryRaw<{ id: number }[]>`
        SELECT nextval(pg_get_serial_sequence('experiments', 'experiment_id'))::int AS id`;
      const now = BigInt(Date.now());
      await tx.experiment.create({
        data: {
          experimentId: id,
          name,
          artifactLocation: artifactLocation ?? `mlflow-artifacts:/${id}`,
          creationTime: now,
          lastUpdateTime: now,
          tags: { create: tags },
        },
      });
      return String(id);
    });
  }

  async get(id: number) {
    const [row] = await this.prisma.rows<Row>(`${SELECT_EXPERIMENTS} WHERE e.experiment_id = $1`, [
      id,
    ]);
    return row ? toExperiment(row) : null;
  }

  async getByName(name: string) {
    const [row] = await this.prisma.rows<Row>(`${SELECT_EXPERIMENTS} WHERE e.name = $1`, [name]);
    return row ? toExperiment(row) : null;
  }

  async getMany(ids: number[]) {
    const rows = await this.prisma.rows<Row>(
      `${SELECT_EXPERIMENTS} WHERE e.experiment_id = ANY($1)`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.experiment_id, toExperiment(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async nameTaken(name: string) {
    return (await this.prisma.rows('SELECT 1 FROM experiments WHERE name = $1', [name])).length > 0;
  }

  async setLifecycle(id: number, stage: LifecycleStage) {
    const now = BigInt(Date.now());
    await this.prisma.$transaction([
      this.prisma.experiment.update({
        where: { experimentId: id },
        data: { lifecycleStage: stage, lastUpdateTime: now },
      }),
      this.prisma.run.updateMany({
        where: { experimentId: id },
        data: { lifecycleStage: stage, deletedTime: stage === 'deleted' ? now : null },
      }),
    ]);
  }

  async rename(id: number, newName: string) {
    await this.prisma.experiment.update({
      where: { experimentId: id },
      data: { name: newName, lastUpdateTime: BigInt(Date.now()) },
    });
  }

  async setTag(id: number, tag: KeyValue) {
    await this.prisma.experimentTag.upsert({
      where: { experimentId_key: { experimentId: id, key: tag.key } },
      create: { experimentId: id, key: tag.key, value: tag.value },
      update: { value: tag.value },
    });
  }

  async deleteTag(id: number, key: string) {
    const { count } = await this.prisma.experimentTag.deleteMany({
      where: { experimentId: id, key },
    });
    return count > 0;
  }

  async searchIds(sql: { text: string; values: unknown[] }) {
    const rows = await this.prisma.rows<{ experiment_id: number }>(sql.text, sql.values);
    return rows.map((r) => Number(r.experiment_id));
  }
}
