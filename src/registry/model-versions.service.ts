import { Injectable } from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import { buildModelVersionSearchSql } from 'src/search/model-version-search-sql';
import { decodePageToken, encodePageToken } from 'src/search/page-token';
import type { LoggedModel, Page, RunInfo } from 'src/tracking/entities';
import { LoggedModelsService } from 'src/tracking/logged-models.service';
import { RunsService } from 'src/tracking/runs.service';
import { validateKey } from 'src/tracking/validation';
import {
  hasTraversal,
  isLocalUri,
  joinArtifactUri,
  localPath,
  parseModelUri,
  parseRunsUri,
  uriScheme,
} from './model-uri';
import { RegisteredModelsService } from './registered-models.service';
import { type Actor, type KeyValue, type ModelVersion, type Stage } from './registry.entities';
import { storeCall } from './registry-errors';
import { scopedPage } from './scoped-page';
import { RegistryStore } from './registry.store';
import { WebhooksService } from './webhooks.service';
import {
  canonicalStage,
  parseVersion,
  validateModelName,
  validateRegistryTag,
  versionNotFound,
} from './registry.validation';
import type { SearchQuery } from './registered-models.service';

export interface CreateModelVersion {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  description?: string;
  modelId?: string;
  tags: KeyValue[];
}

/**
 * Validates a stage transition's fields as MLflow does, before anything is read or written:
 * the version number and the canonical target stage.
 */
export function checkTransition(
  name: string,
  version: string,
  stage: string,
  archiveExisting: boolean,
): { number: number; target: Stage } {
  validateModelName(name);
  const number = parseVersion(name, version);
  const target = canonicalStage(stage);
  if (archiveExisting && target !== 'Staging' && target !== 'Production') {
    // MLflow answers this with a 500; it is a client error.
    throw MlflowError.invalid(
      `Model version transition cannot archive existing model versions because '${target}' ` +
        "is not an Active stage. Valid stages are ['Staging', 'Production']",
    );
  }
  return { number, target };
}

/** Model versions: creation from a run, stages, tags, deletion, search (reference §5). */
@Injectable()
export class ModelVersionsService {
  constructor(
    private readonly store: RegistryStore,
    private readonly models: RegisteredModelsService,
    private readonly runs: RunsService,
    private readonly loggedModels: LoggedModelsService,
    private readonly webhooks: WebhooksService,
  ) {}

  /**
   * Registers a version. A `runs:/<run_id>/<path>` source records its run (also without
   * `run_id`) and is resolved to `<run artifact_uri>/<path>`; a `models:/` source is resolved to
   * the files of the version it names.
   */
  async create(req: CreateModelVersion): Promise<ModelVersion> {
    validateModelName(req.name);
    req.tags.forEach((tag) => validateRegistryTag('Model version', tag));
    const logged = await this.loggedModelOf(req.source);
    const runId = req.runId || parseRunsUri(req.source)?.runId || logged?.sourceRunId;
    await this.validateSource(req.source, runId);
    const storageLocation = logged?.artifactUri ?? (await this.storageLocation(req.source));
    const created = await storeCall(
      this.store.createVersion({
        name: req.name,
        source: req.source,
        storageLocation,
        runId: runId ?? null,
        runLink: req.runLink ?? null,
        description: req.description ?? null,
        modelId: req.modelId || logged?.modelId || null,
        // MLflow never fills a version's user_id; the audit trail records who did what.
        userId: null,
        tags: req.tags,
      }),
    );
    await this.webhooks.emit(created.name, 'MODEL_VERSION_CREATED', {
      version: String(created.version),
      source: created.source,
      run_id: created.runId,
    });
    return created;
  }

  async get(name: string, version: string): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(name, version);
    const found = await this.store.getVersion(name, number);
    if (!found) throw versionNotFound(name, version);
    return found;
  }

  async update(name: string, version: string, description: string | null): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(name, version);
    return storeCall(this.store.updateVersion(name, number, description));
  }

  /**
   * Moves a version to a stage (any case on input). `archiveExisting` archives the model's other
   * versions in that stage; it is only allowed for Staging and Production.
   */
  async transitionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting: boolean,
    actor: Actor,
  ): Promise<ModelVersion> {
    const { number, target } = checkTransition(name, version, stage, archiveExisting);
    const before = await this.store.getVersion(name, number);
    const moved = await storeCall(
      this.store.transitionStage({ name, version: number }, target, archiveExisting, actor),
    );
    await this.webhooks.emit(name, 'STAGE_CHANGED', {
      version: String(number),
      from_stage: before?.currentStage ?? null,
      to_stage: target,
      archive_existing_versions: archiveExisting,
      user_id: actor.userId,
      ...(actor.comment ? { comment: actor.comment } : {}),
    });
    return moved;
  }

  async delete(name: string, version: string, actor: Actor): Promise<void> {
    validateModelName(name);
    const number = parseVersion(name, version);
    await storeCall(this.store.deleteVersion({ name, version: number }, actor));
  }

  async setTag(name: string, version: string, tag: KeyValue): Promise<void> {
    validateModelName(name);
    const number = parseVersion(name, version);
    validateRegistryTag('Model version', tag);
    await storeCall(this.store.setVersionTag({ name, version: number }, tag));
  }

  async deleteTag(name: string, version: string, key: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(name, version);
    validateKey('tag', key);
    await storeCall(this.store.deleteVersionTag({ name, version: number }, key));
  }

  async search(query: SearchQuery): Promise<Page<ModelVersion>> {
    const offset = decodePageToken(query.pageToken);
    const { visible } = query;
    const { rows, nextOffset } = await scopedPage({
      offset,
      maxResults: query.maxResults,
      fetch: (from, limit) =>
        this.store.searchVersionKeys(
          buildModelVersionSearchSql({
            filter: query.filter,
            orderBy: query.orderBy,
            offset: from,
            limit,
          }),
        ),
      visible: visible ? (key) => visible(key.name) : undefined,
    });
    return {
      items: await this.store.getVersions(rows),
      nextPageToken: nextOffset === undefined ? undefined : encodePageToken(nextOffset),
    };
  }

  /** Where the version's files are: the resolved storage location, else the source. */
  async downloadUri(name: string, version: string): Promise<string> {
    const found = await this.get(name, version);
    // MLflow answers a runs:/ source as it is (its client resolves it); others by location.
    return uriScheme(found.source) === 'runs' ? found.source : this.locationOf(found);
  }

  async locationOf(version: ModelVersion): Promise<string> {
    if (version.storageLocation) return version.storageLocation;
    return (await this.resolveRunsUri(version.source)) ?? version.source;
  }

  /**
   * The version a `models:/` URI names, as MLflow's client resolves it: a number, a stage (the
   * highest version in it), `latest` (the highest version), or `@alias`.
   */
  async resolveModelUri(uri: string): Promise<ModelVersion> {
    const parsed = parseModelUri(uri);
    if (parsed === undefined) {
      throw MlflowError.invalid(
        `Not a proper models:/ URI: ${uri}. Models URIs must be of the form ` +
          "'models:/model_name/suffix' or 'models:/model_name@alias' where suffix is a model " +
          "version, stage, or the string 'latest' and where alias is a registered model alias.",
      );
    }
    switch (parsed.kind) {
      case 'version':
        return this.get(parsed.name, parsed.version);
      case 'alias':
        return this.models.versionByAlias(parsed.name, parsed.alias);
      case 'stage':
      case 'latest': {
        const stages: Stage[] = parsed.kind === 'stage' ? [canonicalStage(parsed.stage)] : [];
        const latest = await this.models.latestVersions(parsed.name, stages);
        if (latest.length === 0) {
          const where = parsed.kind === 'stage' ? ` and stage '${stages[0]}'` : '';
          throw MlflowError.notFound(
            `No versions of model with name '${parsed.name}'${where} found`,
          );
        }
        return latest.reduce((a, b) => (b.version > a.version ? b : a));
      }
      case 'model-id':
        throw MlflowError.invalid(`'${uri}' names a logged model, not a registered model version.`);
    }
  }

  /**
   * MLflow's source rules: a local path needs a run and must lie inside that run's local
   * artifact directory; any other URI must not climb out of its location.
   */
  private async validateSource(source: string, runId: string | undefined): Promise<void> {
    if (isLocalUri(source)) {
      const refuse = () =>
        MlflowError.invalid(
          `Invalid model version source: '${source}'. To use a local path as a model version ` +
            'source, the run_id request parameter has to be specified and the local path has ' +
            'to be contained within the artifact directory of the run specified by the run_id.',
        );
      if (!runId) throw refuse();
      const run = await this.runs.getInfo(runId);
      if (!isLocalUri(run.artifactUri)) throw refuse();
      const root = localPath(run.artifactUri);
      const path = localPath(source);
      if (path !== root && !path.startsWith(`${root.replace(/\/$/, '')}/`)) throw refuse();
      return;
    }
    if (hasTraversal(source)) {
      throw MlflowError.invalid(
        `Invalid model version source: '${source}'. If supplying a source as an http, https, ` +
          'local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be ' +
          'provided without relative path references present. Please provide an absolute path.',
      );
    }
  }

  /** The storage location of a new version's source, when it is a URI Kiln resolves. */
  private async storageLocation(source: string): Promise<string | null> {
    if (uriScheme(source) === 'runs') return this.resolveRunsUri(source);
    if (uriScheme(source) !== 'models') return null;
    const parsed = parseModelUri(source);
    if (parsed === undefined || parsed.kind === 'model-id') return null;
    try {
      return await this.locationOf(await this.resolveModelUri(source));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw MlflowError.invalid(
        `Unable to fetch model from model URI source artifact location '${source}'. ` +
          `Error: ${message}`,
      );
    }
  }

  /** `runs:/<id>/<path>` → `<artifact_uri>/<path>`; undefined when not such a URI or no run. */
  private async resolveRunsUri(source: string): Promise<string | null> {
    const parsed = parseRunsUri(source);
    if (parsed === undefined) return null;
    const run = await this.runInfo(parsed.runId);
    return run ? joinArtifactUri(run.artifactUri, parsed.artifactPath) : null;
  }

  /** The logged model a `models:/<model_id>` source names (MLflow 3). */
  private async loggedModelOf(source: string): Promise<LoggedModel | undefined> {
    const parsed = parseModelUri(source);
    if (parsed?.kind !== 'model-id') return undefined;
    try {
      return await this.loggedModels.get(parsed.modelId);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw MlflowError.invalid(
        `Unable to fetch model from model URI source artifact location '${source}'. ` +
          `Error: ${message}`,
      );
    }
  }

  /** The run, or null when there is none of that id. */
  private async runInfo(runId: string): Promise<RunInfo | null> {
    try {
      return await this.runs.getInfo(runId);
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw err;
    }
  }
}
