import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { inScope, type ReadScope } from 'src/auth/access.service';
import { MlflowError } from 'src/common/mlflow-error';
import { decodePageToken, encodePageToken } from 'src/search/page-token';
import type { KeyValue, LoggedModel, LoggedModelStatus, Page } from './entities';
import { parseExperimentId } from './experiment-id';
import { ExperimentsService } from './experiments.service';
import { LoggedModelsStore } from './logged-models.store';
import { randomRunName } from './run-names';
import { RunsService } from './runs.service';

export interface CreateLoggedModel {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params: KeyValue[];
  tags: KeyValue[];
}

/** MLflow 3's logged models, so a 3.x client's `log_model` finds the endpoints it calls. */
@Injectable()
export class LoggedModelsService {
  constructor(
    private readonly store: LoggedModelsStore,
    private readonly experiments: ExperimentsService,
    private readonly runs: RunsService,
  ) {}

  async create(req: CreateLoggedModel): Promise<LoggedModel> {
    const experiment = await this.experiments.getActive(req.experimentId);
    if (req.sourceRunId) await this.runs.getInfo(req.sourceRunId);
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    const root = experiment.artifactLocation.replace(/\/+$/, '');
    await this.store.create({
      ...req,
      modelId,
      name: req.name || randomRunName(),
      artifactUri: `${root}/models/${modelId}/artifacts`,
    });
    return this.get(modelId);
  }

  async get(modelId: string, withDeleted = false): Promise<LoggedModel> {
    const model = await this.store.get(modelId, withDeleted);
    if (!model) throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
    return model;
  }

  async finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    if (status !== 'LOGGED_MODEL_READY' && status !== 'LOGGED_MODEL_UPLOAD_FAILED') {
      throw MlflowError.invalid(
        `A logged model can only be finalized as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED, got ${status}.`,
      );
    }
    await this.get(modelId);
    await this.store.setStatus(modelId, status);
    return this.get(modelId);
  }

  async delete(modelId: string): Promise<void> {
    await this.get(modelId);
    await this.store.delete(modelId);
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    await this.get(modelId);
    await this.store.setTags(modelId, tags);
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.get(modelId);
    if (!(await this.store.deleteTag(modelId, key))) {
      throw MlflowError.notFound(`No tag with key '${key}' found on logged model '${modelId}'.`);
    }
  }

  async logParams(modelId: string, params: KeyValue[]): Promise<void> {
    await this.get(modelId);
    await this.store.logParams(modelId, params);
  }

  async search(query: {
    experimentIds: string[];
    filter: string;
    maxResults: number;
    pageToken?: string;
    scope: ReadScope;
  }): Promise<Page<LoggedModel>> {
    if (query.experimentIds.length === 0)
      throw MlflowError.invalid("'experiment_ids' is required.");
    if (query.filter.trim() !== '') {
      throw MlflowError.invalid('Filters on logged-models/search are not supported by Kiln yet.');
    }
    const offset = query.pageToken ? decodePageToken(query.pageToken) : 0;
    const readable = query.experimentIds.filter((id) => inScope(query.scope, id));
    const rows = await this.store.list(
      readable.map(parseExperimentId),
      offset,
      query.maxResults + 1,
    );
    const more = rows.length > query.maxResults;
    return {
      items: rows.slice(0, query.maxResults),
      nextPageToken: more ? encodePageToken(offset + query.maxResults) : undefined,
    };
  }
}
