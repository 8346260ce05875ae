import { Injectable } from '@nestjs/common';
import { GrantsService } from 'src/auth/grants.service';
import { MlflowError } from 'src/common/mlflow-error';
import { buildRegisteredModelSearchSql } from 'src/search/registered-model-search-sql';
import { decodePageToken, encodePageToken } from 'src/search/page-token';
import type { Page } from 'src/tracking/entities';
import { validateKey } from 'src/tracking/validation';
import {
  STAGES,
  type Actor,
  type KeyValue,
  type ModelVersion,
  type RegisteredModel,
} from './registry.entities';
import { storeCall } from './registry-errors';
import { scopedPage } from './scoped-page';
import { RegistryStore } from './registry.store';
import { WebhooksService } from './webhooks.service';
import {
  canonicalStage,
  modelNotFound,
  parseVersion,
  validateAlias,
  validateModelName,
  validateRegistryTag,
} from './registry.validation';

export interface SearchQuery {
  filter: string;
  orderBy: string[];
  maxResults: number;
  pageToken?: string;
  /** Whether the caller may see the model of that name; everything when absent. */
  visible?: (modelName: string) => boolean;
}

/** Registered models, their tags and aliases (MLflow's registry API, reference §5). */
@Injectable()
export class RegisteredModelsService {
  constructor(
    private readonly store: RegistryStore,
    private readonly grants: GrantsService,
    private readonly webhooks: WebhooksService,
  ) {}

  async create(name: string, tags: KeyValue[], description?: string): Promise<RegisteredModel> {
    validateModelName(name);
    tags.forEach((tag) => validateRegistryTag('Registered model', tag));
    return storeCall(this.store.createModel({ name, tags, description }));
  }

  async get(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    const model = await this.store.getModel(name);
    if (!model) throw modelNotFound(name);
    return model;
  }

  async rename(name: string, newName: string, actor: Actor): Promise<RegisteredModel> {
    validateModelName(name);
    validateModelName(newName, 'new_name');
    const renamed = await storeCall(this.store.renameModel(name, newName, actor));
    await this.grants.followRename('registered_model', name, newName);
    return renamed;
  }

  async update(name: string, description: string | null): Promise<RegisteredModel> {
    validateModelName(name);
    return storeCall(this.store.updateModel(name, description));
  }

  async delete(name: string, actor: Actor): Promise<void> {
    validateModelName(name);
    await storeCall(this.store.deleteModel(name, actor));
    await this.grants.forgetResource('registered_model', name);
  }

  async search(query: SearchQuery): Promise<Page<RegisteredModel>> {
    const offset = decodePageToken(query.pageToken);
    const { rows, nextOffset } = await scopedPage({
      offset,
      maxResults: query.maxResults,
      fetch: (from, limit) =>
        this.store.searchModelNames(
          buildRegisteredModelSearchSql({
            filter: query.filter,
            orderBy: query.orderBy,
            offset: from,
            limit,
          }),
        ),
      visible: query.visible,
    });
    return {
      items: await this.store.getModels(rows),
      nextPageToken: nextOffset === undefined ? undefined : encodePageToken(nextOffset),
    };
  }

  /** The highest version per requested stage; no stages means every stage. */
  async latestVersions(name: string, stages: string[]): Promise<ModelVersion[]> {
    validateModelName(name);
    const wanted = stages.length === 0 ? [...STAGES] : [...new Set(stages.map(canonicalStage))];
    return storeCall(this.store.latestVersions(name, wanted));
  }

  async setTag(name: string, tag: KeyValue): Promise<void> {
    validateModelName(name);
    validateRegistryTag('Registered model', tag);
    await storeCall(this.store.setModelTag(name, tag));
  }

  async deleteTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    validateKey('tag', key);
    await storeCall(this.store.deleteModelTag(name, key));
  }

  async setAlias(name: string, alias: string, version: string, actor: Actor): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    const number = parseVersion(name, version);
    await storeCall(this.store.setAlias({ name, version: number }, alias, actor));
    await this.webhooks.emit(name, 'ALIAS_CHANGED', {
      alias,
      version: String(number),
      user_id: actor.userId,
    });
  }

  async deleteAlias(name: string, alias: string, actor: Actor): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    await storeCall(this.store.deleteAlias(name, alias, actor));
    await this.webhooks.emit(name, 'ALIAS_CHANGED', {
      alias,
      version: null,
      user_id: actor.userId,
    });
  }

  async versionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAlias(alias);
    const version = await this.store.versionByAlias(name, alias);
    if (!version) throw MlflowError.invalid(`Registered model alias ${alias} not found.`);
    return version;
  }
}
