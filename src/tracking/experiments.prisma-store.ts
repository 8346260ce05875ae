import { Injectable } from '@nestjs/common';
import { PrismaService } from 'src/db/prisma.service';
import type { Experiment as ExperimentRow, ExperimentTag } from 'src/generated/prisma/client';
import type { Experiment, KeyValue, LifecycleStage } from './entities';
import { ExperimentsStore } from './experiments.store';

type Row = ExperimentRow & { tags: ExperimentTag[] };

function toExperiment(row: Row): Experiment {
  return {
    experimentId: String(row.experimentId),
    name: row.name,
    artifactLocation: row.artifactLocation,
    lifecycleStage: row.lifecycleStage as LifecycleStage,
    creationTime: Number(row.creationTime),
    lastUpdateTime: Number(row.lastUpdateTime),
    tags: row.tags.map((t) => ({ key: t.key, value: t.value })),
  };
}

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
    const row = await this.prisma.experiment.findUnique({
      where: { experimentId: id },
      include: { tags: true },
    });
    return row ? toExperiment(row) : null;
  }

  async getByName(name: string) {
    const row = await this.prisma.experiment.findUnique({
      where: { name },
      include: { tags: true },
    });
    return row ? toExperiment(row) : null;
  }

  async getMany(ids: number[]) {
    const rows = await this.prisma.experiment.findMany({
      where: { experimentId: { in: ids } },
      include: { tags: true },
    });
    const byId = new Map(rows.map((r) => [r.experimentId, toExperiment(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async nameTaken(name: string) {
    return (await this.prisma.experiment.count({ where: { name } })) > 0;
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
    const rows = await this.prisma.$queryRawUnsafe<{ experiment_id: number }[]>(
      sql.text,
      ...sql.values,
    );
    return rows.map((r) => Number(r.experiment_id));
  }
}
