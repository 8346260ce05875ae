import type {
  Actor,
  AuditEvent,
  KeyValue,
  ModelVersion,
  NewModelVersion,
  NewRegisteredModel,
  RegisteredModel,
  Stage,
  VersionKey,
} from './registry.entities';

/** The registered model does not exist (the transaction wrote nothing). */
export class ModelNotFound extends Error {
  constructor(readonly modelName: string) {
    super(`registered model ${modelName} not found`);
  }
}

/** The model version does not exist or is deleted (the transaction wrote nothing). */
export class VersionNotFound extends Error {
  constructor(
    readonly modelName: string,
    readonly version: number,
  ) {
    super(`model version ${modelName}/${version} not found`);
  }
}

/** Another registered model already has that name (the transaction wrote nothing). */
export class ModelNameTaken extends Error {
  constructor(readonly modelName: string) {
    super(`registered model ${modelName} already exists`);
  }
}

/** Which audit events to list: a model's, or one version's (including alias moves away from it). */
export interface AuditQuery {
  name: string;
  version?: number;
  offset: number;
  limit: number;
}

/**
 * Persistence of the model registry; one transaction per method. Methods that change stages or
 * aliases write their audit events in the same transaction. Versions are soft-deleted, so their
 * numbers are never reused; deleted versions are never returned.
 */
export abstract class RegistryStore {
  /** Throws ModelNameTaken. */
  abstract createModel(model: NewRegisteredModel): Promise<RegisteredModel>;
  abstract getModel(name: string): Promise<RegisteredModel | null>;
  /** The models of those names that exist, in the order of `names`. */
  abstract getModels(names: string[]): Promise<RegisteredModel[]>;
  /** Renames the model and its versions; throws ModelNotFound, ModelNameTaken. */
  abstract renameModel(name: string, newName: string, actor: Actor): Promise<RegisteredModel>;
  /** Throws ModelNotFound. */
  abstract updateModel(name: string, description: string | null): Promise<RegisteredModel>;
  /** Deletes the model with its versions, tags and aliases; throws ModelNotFound. */
  abstract deleteModel(name: string, actor: Actor): Promise<void>;
  /** Throws ModelNotFound. */
  abstract setModelTag(name: string, tag: KeyValue): Promise<void>;
  /** Absent tags are no error; throws ModelNotFound. */
  abstract deleteModelTag(name: string, key: string): Promise<void>;
  /** The highest version in each of `stages`, with aliases; throws ModelNotFound. */
  abstract latestVersions(name: string, stages: readonly Stage[]): Promise<ModelVersion[]>;

  /** Numbers the version max + 1 (deleted ones count); throws ModelNotFound. */
  abstract createVersion(version: NewModelVersion): Promise<ModelVersion>;
  /** A live version with its tags and aliases. */
  abstract getVersion(name: string, version: number): Promise<ModelVersion | null>;
  /** Live versions with tags (no aliases, as MLflow's search), in the order of `keys`. */
  abstract getVersions(keys: VersionKey[]): Promise<ModelVersion[]>;
  /** Throws VersionNotFound. */
  abstract updateVersion(
    name: string,
    version: number,
    description: string | null,
  ): Promise<ModelVersion>;
  /**
   * Moves the version to `stage`; with `archiveExisting`, the model's other versions in that
   * stage move to Archived with the same timestamp. Throws VersionNotFound.
   */
  abstract transitionStage(
    key: VersionKey,
    stage: Stage,
    archiveExisting: boolean,
    actor: Actor,
  ): Promise<ModelVersion>;
  /** Soft-deletes the version and drops the aliases pointing at it; throws VersionNotFound. */
  abstract deleteVersion(key: VersionKey, actor: Actor): Promise<void>;
  /** Throws VersionNotFound. */
  abstract setVersionTag(key: VersionKey, tag: KeyValue): Promise<void>;
  /** Absent tags are no error; throws VersionNotFound. */
  abstract deleteVersionTag(key: VersionKey, tagKey: string): Promise<void>;

  /** Points the alias at the version (upsert); throws VersionNotFound. */
  abstract setAlias(key: VersionKey, alias: string, actor: Actor): Promise<void>;
  /** Absent aliases are no error; throws ModelNotFound. */
  abstract deleteAlias(name: string, alias: string, actor: Actor): Promise<void>;
  /** The version the alias points at, with tags and aliases; null when the alias is not set. */
  abstract versionByAlias(name: string, alias: string): Promise<ModelVersion | null>;

  /** Runs a search query built by src/search that selects `name`. */
  abstract searchModelNames(sql: { text: string; values: unknown[] }): Promise<string[]>;
  /** Runs a search query built by src/search that selects `name, version`. */
  abstract searchVersionKeys(sql: { text: string; values: unknown[] }): Promise<VersionKey[]>;

  /** Audit events in the order they happened. */
  abstract auditEvents(query: AuditQuery): Promise<AuditEvent[]>;
}
