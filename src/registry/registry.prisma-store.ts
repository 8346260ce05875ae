import { Injectable } from '@nestjs/common';
import { PrismaService } from 'src/db/prisma.service';
import type { Prisma } from 'src/generated/prisma/client';
import {
  DELETED_STAGE,
  type Actor,
  type AuditAction,
  type AuditEvent,
  type KeyValue,
  type ModelAlias,
  type ModelVersion,
  type NewModelVersion,
  type NewRegisteredModel,
  type RegisteredModel,
  type Stage,
  type VersionKey,
} from './registry.entities';
import {
  type AuditQuery,
  ModelNameTaken,
  ModelNotFound,
  RegistryStore,
  VersionNotFound,
} from './registry.store';

type Db = Prisma.TransactionClient;

interface VersionRow {
  name: string;
  version: number;
  creation_time: bigint | number;
  last_updated_time: bigint | number;
  description: string | null;
  user_id: string | null;
  current_stage: string;
  source: string;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
  model_id: string | null;
}

interface AuditRow {
  id: bigint;
  name: string;
  version: number | null;
  action: string;
  alias: string | null;
  fromValue: string | null;
  toValue: string | null;
  userId: string;
  timestamp: bigint;
  comment: string | null;
}

/** What a deleted version keeps of its identity, as MLflow's SQL store redacts it. */
const REDACTED = {
  source: 'REDACTED-SOURCE-PATH',
  runId: 'REDACTED-RUN-ID',
  runLink: 'REDACTED-RUN-LINK',
};

const LIVE = { not: DELETED_STAGE };

const versionKey = (name: string, version: number) => `${name}\u0000${version}`;

/** Unique tags: a key given twice keeps its last value, as MLflow does. */
function lastPerKey(tags: KeyValue[]): KeyValue[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: unknown } };
  if (e?.code === 'P2002') return true;
  const text = `${String(e?.message ?? '')} ${JSON.stringify(e?.meta ?? {})}`;
  return /23505|Unique constraint|UniqueConstraintViolation/i.test(text);
}

function toVersion(row: VersionRow, tags: KeyValue[], aliases: string[]): ModelVersion {
  return {
    name: row.name,
    version: Number(row.version),
    creationTimestamp: Number(row.creation_time),
    lastUpdatedTimestamp: Number(row.last_updated_time),
    userId: row.user_id,
    currentStage: row.current_stage as Stage,
    description: row.description,
    source: row.source,
    storageLocation: row.storage_location,
    runId: row.run_id,
    runLink: row.run_link,
    status: row.status,
    statusMessage: row.status_message,
    modelId: row.model_id,
    tags,
    aliases,
  };
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: Number(row.id),
    name: row.name,
    version: row.version,
    action: row.action as AuditAction,
    alias: row.alias,
    from: row.fromValue,
    to: row.toValue,
    userId: row.userId,
    timestamp: Number(row.timestamp),
    comment: row.comment,
  };
}

@Injectable()
export class PrismaRegistryStore extends RegistryStore {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  // -------------------------------------------------------------------------------------------
  // Registered models

  async createModel(model: NewRegisteredModel) {
    try {
      return await this.tx(async (tx) => {
        const now = BigInt(Date.now());
        await tx.registeredModel.create({
          data: {
            name: model.name,
            creationTime: now,
            lastUpdatedTime: now,
            description: model.description ?? null,
            tags: { create: lastPerKey(model.tags) },
          },
        });
        return (await this.loadModels(tx, [model.name]))[0];
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ModelNameTaken(model.name);
      throw err;
    }
  }

  async getModel(name: string) {
    const [model] = await this.getModels([name]);
    return model ?? null;
  }

  async getModels(names: string[]) {
    if (names.length === 0) return [];
    return this.tx((tx) => this.loadModels(tx, names));
  }

  async renameModel(name: string, newName: string, actor: Actor) {
    try {
      return await this.tx(async (tx) => {
        await this.lockModel(tx, name);
        if (newName !== name && (await this.modelExists(tx, newName))) {
          throw new ModelNameTaken(newName);
        }
        const now = BigInt(Date.now());
        // Tags, versions (and their tags) and aliases follow through ON UPDATE CASCADE.
        await tx.registeredModel.update({
          where: { name },
          data: { name: newName, lastUpdatedTime: now },
        });
        await tx.modelVersion.updateMany({
          where: { name: newName },
          data: { lastUpdatedTime: now },
        });
        await tx.registryAuditEvent.updateMany({ where: { name }, data: { name: newName } });
        // The approval requirement and transition requests follow the model (no foreign key).
        await tx.registryApprovalSetting.updateMany({ where: { name }, data: { name: newName } });
        await tx.registryTransitionRequest.updateMany({
          where: { name },
          data: { name: newName },
        });
        await this.audit(tx, actor, now, {
          name: newName,
          action: 'RENAME_REGISTERED_MODEL',
          from: name,
          to: newName,
        });
        return (await this.loadModels(tx, [newName]))[0];
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ModelNameTaken(newName);
      throw err;
    }
  }

  async updateModel(name: string, description: string | null) {
    return this.tx(async (tx) => {
      const { count } = await tx.registeredModel.updateMany({
        where: { name },
        data: { description, lastUpdatedTime: BigInt(Date.now()) },
      });
      if (count === 0) throw new ModelNotFound(name);
      return (await this.loadModels(tx, [name]))[0];
    });
  }

  async deleteModel(name: string, actor: Actor) {
    await this.tx(async (tx) => {
      await this.lockModel(tx, name);
      await tx.registeredModel.delete({ where: { name } });
      await tx.registryApprovalSetting.deleteMany({ where: { name } });
      await tx.registryTransitionRequest.updateMany({
        where: { name, status: 'PENDING' },
        data: { status: 'CANCELLED', decidedAt: BigInt(Date.now()), decidedBy: actor.userId },
      });
      await this.audit(tx, actor, BigInt(Date.now()), {
        name,
        action: 'DELETE_REGISTERED_MODEL',
      });
    });
  }

  async setModelTag(name: string, tag: KeyValue) {
    await this.tx(async (tx) => {
      await this.lockModel(tx, name);
      await tx.registeredModelTag.upsert({
        where: { name_key: { name, key: tag.key } },
        create: { name, key: tag.key, value: tag.value },
        update: { value: tag.value },
      });
    });
  }

  async deleteModelTag(name: string, key: string) {
    await this.tx(async (tx) => {
      await this.lockModel(tx, name);
      await tx.registeredModelTag.deleteMany({ where: { name, key } });
    });
  }

  async latestVersions(name: string, stages: readonly Stage[]) {
    return this.tx(async (tx) => {
      if (!(await this.modelExists(tx, name))) throw new ModelNotFound(name);
      const keys = await tx.$queryRawUnsafe<VersionKey[]>(
        `SELECT name, max(version) AS version FROM model_versions
          WHERE name = $1 AND current_stage = ANY($2::text[])
          GROUP BY name, current_stage
          ORDER BY version`,
        name,
        [...stages],
      );
      const aliases = await this.aliasesOf(tx, name);
      return (await this.loadVersions(tx, keys)).map((v) => withAliases(v, aliases));
    });
  }

  // -------------------------------------------------------------------------------------------
  // Model versions

  async createVersion(input: NewModelVersion) {
    return this.tx(async (tx) => {
      // The model's row lock serialises version numbering.
      await this.lockModel(tx, input.name);
      const [{ next }] = await tx.$queryRawUnsafe<{ next: number }[]>(
        'SELECT (coalesce(max(version), 0) + 1)::int AS next FROM model_versions WHERE name = $1',
        input.name,
      );
      const now = BigInt(Date.now());
      await tx.modelVersion.create({
        data: {
          name: input.name,
          version: next,
          creationTime: now,
          lastUpdatedTime: now,
          description: input.description,
          userId: input.userId,
          source: input.source,
          storageLocation: input.storageLocation,
          runId: input.runId,
          runLink: input.runLink,
          modelId: input.modelId,
          tags: { create: lastPerKey(input.tags) },
        },
      });
      await this.touchModel(tx, input.name, now);
      return this.loadVersionWithAliases(tx, { name: input.name, version: next });
    });
  }

  async getVersion(name: string, version: number) {
    return this.tx(async (tx) => {
      try {
        return await this.loadVersionWithAliases(tx, { name, version });
      } catch (err) {
        if (err instanceof VersionNotFound) return null;
        throw err;
      }
    });
  }

  async getVersions(keys: VersionKey[]) {
    if (keys.length === 0) return [];
    return this.loadVersions(this.prisma, keys);
  }

  async updateVersion(name: string, version: number, description: string | null) {
    return this.tx(async (tx) => {
      const { count } = await tx.modelVersion.updateMany({
        where: { name, version, currentStage: LIVE },
        data: { description, lastUpdatedTime: BigInt(Date.now()) },
      });
      if (count === 0) throw new VersionNotFound(name, version);
      return this.loadVersionWithAliases(tx, { name, version });
    });
  }

  async transitionStage(key: VersionKey, stage: Stage, archiveExisting: boolean, actor: Actor) {
    return this.tx(async (tx) => {
      await this.lockVersion(tx, key);
      const current = await tx.modelVersion.findUniqueOrThrow({
        where: { name_version: key },
        select: { currentStage: true },
      });
      const now = BigInt(Date.now());
      if (archiveExisting) {
        const others = await tx.modelVersion.findMany({
          where: { name: key.name, version: { not: key.version }, currentStage: stage },
          select: { version: true },
          orderBy: { version: 'asc' },
        });
        if (others.length > 0) {
          await tx.modelVersion.updateMany({
            where: { name: key.name, version: { in: others.map((o) => o.version) } },
            data: { currentStage: 'Archived', lastUpdatedTime: now },
          });
          for (const other of others) {
            await this.audit(tx, actor, now, {
              name: key.name,
              version: other.version,
              action: 'TRANSITION_STAGE',
              from: stage,
              to: 'Archived',
              comment: `Archived by the transition of version ${key.version} to ${stage}.`,
            });
          }
        }
      }
      await tx.modelVersion.update({
        where: { name_version: key },
        data: { currentStage: stage, lastUpdatedTime: now },
      });
      await this.touchModel(tx, key.name, now);
      await this.audit(tx, actor, now, {
        name: key.name,
        version: key.version,
        action: 'TRANSITION_STAGE',
        from: current.currentStage,
        to: stage,
        comment: actor.comment,
      });
      return this.loadVersionWithAliases(tx, key);
    });
  }

  async deleteVersion(key: VersionKey, actor: Actor) {
    await this.tx(async (tx) => {
      await this.lockVersion(tx, key);
      const current = await tx.modelVersion.findUniqueOrThrow({
        where: { name_version: key },
        select: { currentStage: true },
      });
      const now = BigInt(Date.now());
      const dropped = await tx.$queryRawUnsafe<{ alias: string }[]>(
        `DELETE FROM registered_model_aliases WHERE name = $1 AND version = $2
         RETURNING alias`,
        key.name,
        key.version,
      );
      for (const { alias } of dropped.sort((a, b) => a.alias.localeCompare(b.alias))) {
        await this.audit(tx, actor, now, {
          name: key.name,
          version: key.version,
          action: 'DELETE_ALIAS',
          alias,
          from: String(key.version),
          comment: `The alias was removed because version ${key.version} was deleted.`,
        });
      }
      await tx.modelVersion.update({
        where: { name_version: key },
        data: {
          currentStage: DELETED_STAGE,
          lastUpdatedTime: now,
          description: null,
          userId: null,
          source: REDACTED.source,
          storageLocation: null,
          runId: REDACTED.runId,
          runLink: REDACTED.runLink,
          statusMessage: null,
        },
      });
      await this.touchModel(tx, key.name, now);
      await this.audit(tx, actor, now, {
        name: key.name,
        version: key.version,
        action: 'DELETE_MODEL_VERSION',
        from: current.currentStage,
        comment: actor.comment,
      });
    });
  }

  async setVersionTag(key: VersionKey, tag: KeyValue) {
    await this.tx(async (tx) => {
      await this.lockVersion(tx, key);
      await tx.modelVersionTag.upsert({
        where: { name_version_key: { ...key, key: tag.key } },
        create: { ...key, key: tag.key, value: tag.value },
        update: { value: tag.value },
      });
    });
  }

  async deleteVersionTag(key: VersionKey, tagKey: string) {
    await this.tx(async (tx) => {
      await this.lockVersion(tx, key);
      await tx.modelVersionTag.deleteMany({ where: { ...key, key: tagKey } });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Aliases

  async setAlias(key: VersionKey, alias: string, actor: Actor) {
    await this.tx(async (tx) => {
      await this.lockVersion(tx, key);
      const previous = await tx.registeredModelAlias.findUnique({
        where: { name_alias: { name: key.name, alias } },
      });
      await tx.registeredModelAlias.upsert({
        where: { name_alias: { name: key.name, alias } },
        create: { name: key.name, alias, version: key.version },
        update: { version: key.version },
      });
      await this.audit(tx, actor, BigInt(Date.now()), {
        name: key.name,
        version: key.version,
        action: 'SET_ALIAS',
        alias,
        from: previous ? String(previous.version) : undefined,
        to: String(key.version),
        comment: actor.comment,
      });
    });
  }

  async deleteAlias(name: string, alias: string, actor: Actor) {
    await this.tx(async (tx) => {
      await this.lockModel(tx, name);
      const dropped = await tx.$queryRawUnsafe<{ version: number }[]>(
        `DELETE FROM registered_model_aliases WHERE name = $1 AND alias = $2
         RETURNING version`,
        name,
        alias,
      );
      if (dropped.length === 0) return;
      await this.audit(tx, actor, BigInt(Date.now()), {
        name,
        version: dropped[0].version,
        action: 'DELETE_ALIAS',
        alias,
        from: String(dropped[0].version),
        comment: actor.comment,
      });
    });
  }

  async versionByAlias(name: string, alias: string) {
    return this.tx(async (tx) => {
      const row = await tx.registeredModelAlias.findUnique({
        where: { name_alias: { name, alias } },
      });
      if (!row) return null;
      try {
        return await this.loadVersionWithAliases(tx, { name, version: row.version });
      } catch (err) {
        if (err instanceof VersionNotFound) return null;
        throw err;
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Search and audit

  async searchModelNames(sql: { text: string; values: unknown[] }) {
    const rows = await this.prisma.$queryRawUnsafe<{ name: string }[]>(sql.text, ...sql.values);
    return rows.map((r) => r.name);
  }

  async searchVersionKeys(sql: { text: string; values: unknown[] }) {
    const rows = await this.prisma.$queryRawUnsafe<VersionKey[]>(sql.text, ...sql.values);
    return rows.map((r) => ({ name: r.name, version: Number(r.version) }));
  }

  async auditEvents(query: AuditQuery) {
    const where: Prisma.RegistryAuditEventWhereInput =
      query.version === undefined
        ? { name: query.name }
        : {
            name: query.name,
            OR: [
              { version: query.version },
              // An alias moved away from this version.
              { alias: { not: null }, fromValue: String(query.version) },
            ],
          };
    const rows = await this.prisma.registryAuditEvent.findMany({
      where,
      orderBy: { id: 'asc' },
      skip: query.offset,
      take: query.limit,
    });
    return rows.map(toAuditEvent);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers (all inside the caller's transaction)

  /**
   * One transaction. Writers of a model queue on its row lock, so they may wait longer than
   * Prisma's 5 s default before a busy model's turn comes.
   */
  private tx<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { maxWait: 10_000, timeout: 30_000 });
  }

  private async modelExists(tx: Db, name: string): Promise<boolean> {
    return (await tx.registeredModel.count({ where: { name } })) > 0;
  }

  /** Locks the model's row for the transaction; throws ModelNotFound. */
  private async lockModel(tx: Db, name: string): Promise<void> {
    const rows = await tx.$queryRawUnsafe<unknown[]>(
      'SELECT 1 FROM registered_models WHERE name = $1 FOR UPDATE',
      name,
    );
    if (rows.length === 0) throw new ModelNotFound(name);
  }

  /** Locks the model's row and checks the version is live; throws VersionNotFound. */
  private async lockVersion(tx: Db, key: VersionKey): Promise<void> {
    try {
      await this.lockModel(tx, key.name);
    } catch (err) {
      if (err instanceof ModelNotFound) throw new VersionNotFound(key.name, key.version);
      throw err;
    }
    const live = await tx.modelVersion.count({
      where: { name: key.name, version: key.version, currentStage: LIVE },
    });
    if (live === 0) throw new VersionNotFound(key.name, key.version);
  }

  /** A change to a version is a change to its model: MLflow bumps the model's timestamp. */
  private async touchModel(tx: Db, name: string, now: bigint): Promise<void> {
    await tx.registeredModel.update({ where: { name }, data: { lastUpdatedTime: now } });
  }

  private async audit(
    tx: Db,
    actor: Actor,
    timestamp: bigint,
    event: {
      name: string;
      version?: number;
      action: AuditAction;
      alias?: string;
      from?: string;
      to?: string;
      comment?: string;
    },
  ): Promise<void> {
    await tx.registryAuditEvent.create({
      data: {
        name: event.name,
        version: event.version ?? null,
        action: event.action,
        alias: event.alias ?? null,
        fromValue: event.from ?? null,
        toValue: event.to ?? null,
        userId: actor.userId,
        timestamp,
        comment: event.comment || null,
      },
    });
  }

  private async aliasesOf(db: Db, name: string): Promise<ModelAlias[]> {
    const rows = await db.registeredModelAlias.findMany({
      where: { name },
      orderBy: { alias: 'asc' },
    });
    return rows.map((r) => ({ alias: r.alias, version: r.version }));
  }

  private async loadVersionWithAliases(tx: Db, key: VersionKey): Promise<ModelVersion> {
    const [version] = await this.loadVersions(tx, [key]);
    if (!version) throw new VersionNotFound(key.name, key.version);
    return withAliases(version, await this.aliasesOf(tx, key.name));
  }

  /** Live versions with their tags, in the order of `keys` (set-based: two queries). */
  private async loadVersions(db: Db, keys: VersionKey[]): Promise<ModelVersion[]> {
    if (keys.length === 0) return [];
    const names = keys.map((k) => k.name);
    const numbers = keys.map((k) => k.version);
    const rows = await db.$queryRawUnsafe<VersionRow[]>(
      `SELECT mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description,
              mv.user_id, mv.current_stage, mv.source, mv.storage_location, mv.run_id,
              mv.run_link, mv.status, mv.status_message, mv.model_id
         FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS k(name, version, ord)
         JOIN model_versions mv ON mv.name = k.name AND mv.version = k.version
        WHERE mv.current_stage <> '${DELETED_STAGE}'
        ORDER BY k.ord`,
      names,
      numbers,
    );
    const tagRows = await db.$queryRawUnsafe<
      { name: string; version: number; key: string; value: string }[]
    >(
      `SELECT t.name, t.version, t.key, t.value
         FROM unnest($1::text[], $2::int[]) AS k(name, version)
         JOIN model_version_tags t ON t.name = k.name AND t.version = k.version
        ORDER BY t.key`,
      names,
      numbers,
    );
    const tags = new Map<string, KeyValue[]>();
    for (const t of tagRows) {
      const id = versionKey(t.name, Number(t.version));
      const list = tags.get(id) ?? [];
      list.push({ key: t.key, value: t.value });
      tags.set(id, list);
    }
    return rows.map((row) =>
      toVersion(row, tags.get(versionKey(row.name, Number(row.version))) ?? [], []),
    );
  }

  private async loadModels(db: Db, names: string[]): Promise<RegisteredModel[]> {
    const rows = await db.registeredModel.findMany({
      where: { name: { in: names } },
      include: { tags: { orderBy: { key: 'asc' } }, aliases: { orderBy: { alias: 'asc' } } },
    });
    const latestKeys = await db.$queryRawUnsafe<VersionKey[]>(
      `SELECT name, max(version) AS version FROM model_versions
        WHERE name = ANY($1::text[]) AND current_stage <> '${DELETED_STAGE}'
        GROUP BY name, current_stage
        ORDER BY name, version`,
      names,
    );
    const latest = new Map<string, ModelVersion[]>();
    for (const v of await this.loadVersions(db, latestKeys)) {
      const list = latest.get(v.name) ?? [];
      list.push(v);
      latest.set(v.name, list);
    }
    const byName = new Map(
      rows.map((row): [string, RegisteredModel] => [
        row.name,
        {
          name: row.name,
          creationTimestamp: Number(row.creationTime),
          lastUpdatedTimestamp: Number(row.lastUpdatedTime),
          description: row.description,
          latestVersions: latest.get(row.name) ?? [],
          tags: row.tags.map((t) => ({ key: t.key, value: t.value })),
          aliases: row.aliases.map((a) => ({ alias: a.alias, version: a.version })),
        },
      ]),
    );
    return names.flatMap((name) => byName.get(name) ?? []);
  }
}

function withAliases(version: ModelVersion, aliases: ModelAlias[]): ModelVersion {
  return {
    ...version,
    aliases: aliases.filter((a) => a.version === version.version).map((a) => a.alias),
  };
}
