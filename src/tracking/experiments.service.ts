import { Injectable } from '@nestjs/common';
import type { ReadScope } from 'src/auth/access.service';
import { MlflowError } from 'src/common/mlflow-error';
import type { Experiment, KeyValue, Page, ViewType } from './entities';
import { parseExperimentId } from './experiment-id';
import { ExperimentsStore } from './experiments.store';
import { checkLength, LIMITS } from './validation';
import { buildExperimentSearchSql } from 'src/search/experiment-search-sql';
import { decodePageToken, encodePageToken } from 'src/search/page-token';

@Injectable()
export class ExperimentsService {
  constructor(private readonly store: ExperimentsStore) {}

  async create(
    name: string,
    artifactLocation: string | undefined,
    tags: KeyValue[],
  ): Promise<string> {
    checkLength('name', name, LIMITS.experimentName);
    if (artifactLocation !== undefined) validateArtifactLocation(artifactLocation);
    tags.forEach(validateExperimentTag);
    if (await this.store.nameTaken(name)) throw experimentExists(name);
    try {
      return await this.store.create(name, artifactLocation, tags);
    } catch (err) {
      // Two concurrent creates of one name: the loser sees the unique index.
      if (await this.store.nameTaken(name)) throw experimentExists(name);
      throw err;
    }
  }

  async get(id: string): Promise<Experiment> {
    const experiment = await this.store.get(parseExperimentId(id));
    if (!experiment) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
    return experiment;
  }

  async getByName(name: string): Promise<Experiment> {
    const experiment = await this.store.getByName(name);
    if (!experiment) throw MlflowError.notFound(`Could not find experiment with name '${name}'`);
    return experiment;
  }

  /** An experiment that exists and is active, for writes into it. */
  async getActive(id: string): Promise<Experiment> {
    const experiment = await this.get(id);
    if (experiment.lifecycleStage !== 'active') {
      throw MlflowError.invalid(
        `The experiment ${id} must be in the 'active' state. Current state is ${experiment.lifecycleStage}.`,
      );
    }
    return experiment;
  }

  async delete(id: string): Promise<void> {
    const experiment = await this.get(id);
    if (experiment.lifecycleStage !== 'active') {
      throw MlflowError.notFound(`Experiment ${id} is not active; it cannot be deleted.`);
    }
    if (experiment.experimentId === '0') {
      throw MlflowError.invalid('Cannot delete the default experiment (ID 0).');
    }
    await this.store.setLifecycle(Number(id), 'deleted');
  }

  async restore(id: string): Promise<void> {
    const experiment = await this.get(id);
    if (experiment.lifecycleStage !== 'deleted') {
      throw MlflowError.notFound(`Experiment ${id} is not deleted; it cannot be restored.`);
    }
    await this.store.setLifecycle(Number(id), 'active');
  }

  async rename(id: string, newName: string): Promise<void> {
    checkLength('new_name', newName, LIMITS.experimentName);
    const experiment = await this.get(id);
    if (experiment.lifecycleStage !== 'active') {
      throw new MlflowError(
        'INVALID_STATE',
        `Cannot rename a non-active experiment ${id}: its state is ${experiment.lifecycleStage}.`,
      );
    }
    if (experiment.name === newName) return;
    // MLflow's SQL store answers a name clash on rename with BAD_REQUEST.
    if (await this.store.nameTaken(newName)) {
      throw new MlflowError('BAD_REQUEST', `An experiment named '${newName}' already exists.`);
    }
    await this.store.rename(Number(id), newName);
  }

  async setTag(id: string, tag: KeyValue): Promise<void> {
    validateExperimentTag(tag);
    await this.getActive(id);
    await this.store.setTag(Number(id), tag);
  }

  async deleteTag(id: string, key: string): Promise<void> {
    await this.getActive(id);
    if (!(await this.store.deleteTag(Number(id), key))) {
      throw MlflowError.notFound(`No tag with name: ${key} in experiment with id ${id}`);
    }
  }

  async searchExperiments(query: {
    filter: string;
    orderBy: string[];
    viewType: ViewType;
    maxResults: number;
    pageToken?: string;
    scope: ReadScope;
  }): Promise<Page<Experiment>> {
    const offset = query.pageToken ? decodePageToken(query.pageToken) : 0;
    const sql = buildExperimentSearchSql({ ...query, offset, limit: query.maxResults + 1 });
    const ids = await this.store.searchIds(sql);
    const items = await this.store.getMany(ids.slice(0, query.maxResults));
    const more = ids.length > query.maxResults;
    return { items, nextPageToken: more ? encodePageToken(offset + query.maxResults) : undefined };
  }
}

function experimentExists(name: string): MlflowError {
  return MlflowError.alreadyExists(`Experiment(name=${name}) already exists.`);
}

function validateExperimentTag(tag: KeyValue): void {
  checkLength('key', tag.key, LIMITS.keyLength);
  checkLength('value', tag.value, LIMITS.experimentTagValue);
}

function validateArtifactLocation(location: string): void {
  if (location.startsWith('runs:')) {
    throw MlflowError.invalid(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
  if (/[#?]/.test(location)) {
    throw MlflowError.invalid(
      `Artifact location must not contain a URL fragment or query: '${location}'`,
    );
  }
  checkLength('artifact_location', location, LIMITS.artifactLocation);
}
