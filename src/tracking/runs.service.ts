import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import type { Batch, DatasetInput, KeyValue, Metric, Run, RunInfo, RunUpdate } from './entities';
import { ExperimentsService } from './experiments.service';
import { randomRunName } from './run-names';
import { ParamConflict, RunsStore } from './runs.store';
import {
  checkLength,
  LIMITS,
  storableMetricValue,
  validateKey,
  validateTimestamp,
} from './validation';

const RUN_NAME_TAG = 'mlflow.runName';

export interface CreateRun {
  experimentId: string;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags: KeyValue[];
}

@Injectable()
export class RunsService {
  constructor(
    private readonly store: RunsStore,
    private readonly experiments: ExperimentsService,
  ) {}

  async create(req: CreateRun): Promise<Run> {
    req.tags.forEach(validateRunTag);
    const experiment = await this.experiments.getActive(req.experimentId);
    const tagName = req.tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    if (req.runName && tagName !== undefined && req.runName !== tagName) {
      throw MlflowError.invalid(
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different ` +
          `values (run_name='${req.runName}', mlflow.runName='${tagName}').`,
      );
    }
    const runName = req.runName || tagName || randomRunName();
    const tags =
      tagName === undefined ? [...req.tags, { key: RUN_NAME_TAG, value: runName }] : req.tags;
    const runId = randomUUID().replace(/-/g, '');
    await this.store.create({
      runId,
      experimentId: experiment.experimentId,
      userId: req.userId ?? '',
      runName,
      startTime: req.startTime ?? Date.now(),
      artifactUri: `${experiment.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
      tags,
    });
    return this.get(runId);
  }

  async get(runId: string): Promise<Run> {
    const [run] = await this.store.getRuns([runId]);
    if (!run) throw runNotFound(runId);
    return run;
  }

  async getInfo(runId: string): Promise<RunInfo> {
    const info = await this.store.getInfo(runId);
    if (!info) throw runNotFound(runId);
    return info;
  }

  /** A run that exists and is active: the precondition of every write to a run. */
  async getActive(runId: string): Promise<RunInfo> {
    const info = await this.getInfo(runId);
    if (info.lifecycleStage !== 'active') throw runNotActive(runId, info.lifecycleStage);
    return info;
  }

  async update(runId: string, update: RunUpdate): Promise<RunInfo> {
    if (update.runName !== undefined) validateRunTag({ key: RUN_NAME_TAG, value: update.runName });
    await this.getActive(runId);
    return this.store.update(runId, update);
  }

  async delete(runId: string): Promise<void> {
    await this.getInfo(runId);
    await this.store.setLifecycle(runId, 'deleted');
  }

  async restore(runId: string): Promise<void> {
    await this.getInfo(runId);
    await this.store.setLifecycle(runId, 'active');
  }

  async logBatch(runId: string, batch: Batch): Promise<void> {
    validateBatch(batch);
    const metrics = batch.metrics.map((m) => ({ ...m, value: storableMetricValue(m.value) }));
    if (batch.params.length === 0 && batch.tags.length === 0) {
      // Metrics only (what training loops send): the run check and the write are one statement.
      const stage = await this.store.logMetrics(runId, metrics);
      if (stage === null) throw runNotFound(runId);
      if (stage !== 'active') throw runNotActive(runId, stage);
      return;
    }
    await this.getActive(runId);
    try {
      await this.store.logBatch(runId, { ...batch, metrics });
    } catch (err) {
      if (err instanceof ParamConflict) {
        throw MlflowError.invalid(
          `Changing param values is not allowed. Param with key='${err.key}' was already ` +
            `logged with value='${err.oldValue}' for run ID='${runId}'. Attempted logging new ` +
            `value '${err.newValue}'.`,
        );
      }
      throw err;
    }
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    await this.logBatch(runId, { metrics: [metric], params: [], tags: [] });
  }

  async logParam(runId: string, param: KeyValue): Promise<void> {
    await this.logBatch(runId, { metrics: [], params: [param], tags: [] });
  }

  async setTag(runId: string, tag: KeyValue): Promise<void> {
    await this.logBatch(runId, { metrics: [], params: [], tags: [tag] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.getActive(runId);
    if (!(await this.store.deleteTag(runId, key))) {
      throw MlflowError.notFound(`No tag with name: ${key} in run with id ${runId}`);
    }
  }

  async logModel(runId: string, modelJson: string): Promise<void> {
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw MlflowError.invalid(`Malformed model info. 'model_json' is not valid JSON.`);
    }
    const fields = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'];
    const isObject = typeof model === 'object' && model !== null && !Array.isArray(model);
    const missing = isObject ? fields.filter((f) => !(f in (model as object))) : fields;
    if (missing.length > 0) {
      throw MlflowError.invalid(`Model json is missing mandatory fields: [${missing.join(', ')}]`);
    }
    await this.getActive(runId);
    await this.store.appendLoggedModel(runId, model);
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    inputs.forEach(validateDatasetInput);
    const info = await this.getActive(runId);
    // One dataset logged twice in a request is stored once.
    const unique = [
      ...new Map(inputs.map((i) => [`${i.dataset.name}\u0000${i.dataset.digest}`, i])).values(),
    ];
    if (unique.length > 0) await this.store.logInputs(runId, info.experimentId, unique);
  }
}

function runNotActive(runId: string, stage: string): MlflowError {
  return MlflowError.invalid(
    `The run ${runId} must be in the 'active' state. Current state is ${stage}.`,
  );
}

export function runNotFound(runId: string): MlflowError {
  return MlflowError.notFound(`Run with id=${runId} not found`);
}

function validateRunTag(tag: KeyValue): void {
  validateKey('tag', tag.key);
  checkLength(`tag value for ${tag.key}`, tag.value, LIMITS.runTagValue);
}

function validateBatch(batch: Batch): void {
  const { metrics, params, tags } = batch;
  const limit = (what: string, count: number, max: number) => {
    if (count > max) {
      throw MlflowError.invalid(
        `A batch logging request can contain at most ${max} ${what}. Got ${count} ${what}. ` +
          'Please split up the request into multiple requests.',
      );
    }
  };
  limit('metrics', metrics.length, LIMITS.batchMetrics);
  limit('params', params.length, LIMITS.batchParams);
  limit('tags', tags.length, LIMITS.batchTags);
  const total = metrics.length + params.length + tags.length;
  if (total > LIMITS.batchTotal) {
    throw MlflowError.invalid(
      `A batch logging request can contain at most ${LIMITS.batchTotal} metrics, params, and ` +
        `tags in total. Got ${total} in total.`,
    );
  }
  for (const m of metrics) {
    validateKey('metric', m.key);
    validateTimestamp(m.key, m.value, m.timestamp);
  }
  const seen = new Set<string>();
  for (const p of params) {
    validateKey('param', p.key);
    checkLength(`param value for ${p.key}`, p.value, LIMITS.paramValue);
    if (seen.has(p.key)) {
      throw MlflowError.invalid(
        `Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request ` +
          'contains only one param value per param key.',
      );
    }
    seen.add(p.key);
  }
  tags.forEach(validateRunTag);
}

function validateDatasetInput(input: DatasetInput): void {
  const d = input.dataset;
  checkLength('dataset name', d.name, LIMITS.datasetName);
  checkLength('dataset digest', d.digest, LIMITS.datasetDigest);
  checkLength('dataset source', d.source, LIMITS.datasetSource);
  if (d.schema !== undefined) checkLength('dataset schema', d.schema, LIMITS.datasetSchema);
  if (d.profile !== undefined) checkLength('dataset profile', d.profile, LIMITS.datasetProfile);
  for (const tag of input.tags) {
    checkLength('input tag key', tag.key, LIMITS.inputTagKey);
    checkLength('input tag value', tag.value, LIMITS.inputTagValue);
  }
}
