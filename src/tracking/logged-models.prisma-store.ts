import { Injectable } from '@nestjs/common';
import { PrismaService } from 'src/db/prisma.service';
import type { Prisma } from 'src/generated/prisma/client';
import type { KeyValue, LoggedModel, LoggedModelStatus } from './entities';
import { LoggedModelsStore, type NewLoggedModel } from './logged-models.store';

const include = { params: true, tags: true } as const;
type Row = Prisma.LoggedModelGetPayload<{ include: typeof include }>;

const pairs = (rows: KeyValue[]) => rows.map((r) => ({ key: r.key, value: r.value }));

function toModel(row: Row): LoggedModel {
  return {
    modelId: row.modelId,
    experimentId: String(row.experimentId),
    name: row.name,
    modelType: row.modelType ?? undefined,
    sourceRunId: row.sourceRunId ?? undefined,
    status: row.status as LoggedModelStatus,
    statusMessage: row.statusMessage ?? undefined,
    artifactUri: row.artifactLocation,
    creationTimestamp: Number(row.creationTimestamp),
    lastUpdatedTimestamp: Number(row.lastUpdatedTimestamp),
    params: pairs(row.params),
    tags: pairs(row.tags),
    metrics: [],
  };
}

@Injectable()
export class PrismaLoggedModelsStore extends LoggedModelsStore {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async create(model: NewLoggedModel) {
    const now = BigInt(Date.now());
    await this.prisma.loggedModel.create({
      data: {
        modelId: model.modelId,
        experimentId: Number(model.experimentId),
        name: model.name,
        modelType: model.modelType,
        sourceRunId: model.sourceRunId,
        artifactLocation: model.artifactUri,
        creationTimestamp: now,
        lastUpdatedTimestamp: now,
        params: { create: pairs(model.params) },
        tags: { create: pairs(model.tags) },
      },
    });
  }

  async get(modelId: string, withDeleted = false) {
    const row = await this.prisma.loggedModel.findUnique({ where: { modelId }, include });
    if (!row || (!withDeleted && row.lifecycleStage !== 'active')) return null;
    return toModel(row);
  }

  async setStatus(modelId: string, status: LoggedModelStatus) {
    await this.prisma.loggedModel.update({
      where: { modelId },
      data: { status, lastUpdatedTimestamp: BigInt(Date.now()) },
    });
  }

  async delete(modelId: string) {
    await this.prisma.loggedModel.update({
      where: { modelId },
      data: { lifecycleStage: 'deleted', lastUpdatedTimestamp: BigInt(Date.now()) },
    });
  }

  async setTags(modelId: string, tags: KeyValue[]) {
    await this.prisma.$transaction(
      tags.map((t) =>
        this.prisma.loggedModelTag.upsert({
          where: { modelId_key: { modelId, key: t.key } },
          create: { modelId, key: t.key, value: t.value },
          update: { value: t.value },
        }),
      ),
    );
  }

  async deleteTag(modelId: string, key: string) {
    const { count } = await this.prisma.loggedModelTag.deleteMany({ where: { modelId, key } });
    return count > 0;
  }

  async logParams(modelId: string, params: KeyValue[]) {
    await this.prisma.$transaction(
      params.map((p) =>
        this.prisma.loggedModelParam.upsert({
          where: { modelId_key: { modelId, key: p.key } },
          create: { modelId, key: p.key, value: p.value },
          update: { value: p.value },
        }),
      ),
    );
  }

  async list(experimentIds: number[], offset: number, limit: number) {
    const rows = await this.prisma.loggedModel.findMany({
      where: { experimentId: { in: experimentIds }, lifecycleStage: 'active' },
      orderBy: [{ creationTimestamp: 'desc' }, { modelId: 'asc' }],
      skip: offset,
      take: limit,
      include,
    });
    return rows.map(toModel);
  }
}
