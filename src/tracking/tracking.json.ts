import type {
  DatasetInput,
  Experiment,
  KeyValue,
  LoggedModel,
  Metric,
  Run,
  RunInfo,
} from './entities';

/**
 * The JSON shapes of MLflow's protos: snake_case names, unset scalars and empty lists left out,
 * int64 as numbers, non-finite doubles as strings.
 */
type Json = Record<string, unknown>;

function listField<T>(name: string, items: T[], map: (item: T) => unknown): Json {
  return items.length > 0 ? { [name]: items.map(map) } : {};
}

const keyValue = (kv: KeyValue): Json => ({ key: kv.key, value: kv.value });

export function doubleJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function metricJson(m: Metric): Json {
  return { key: m.key, value: doubleJson(m.value), timestamp: m.timestamp, step: m.step };
}

export function experimentJson(e: Experiment): Json {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    ...listField('tags', e.tags, keyValue),
  };
}

export function runInfoJson(info: RunInfo): Json {
  return {
    run_uuid: info.runId,
    experiment_id: info.experimentId,
    run_name: info.runName,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    ...(info.endTime !== null ? { end_time: info.endTime } : {}),
    artifact_uri: info.artifactUri,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
  };
}

function datasetInputJson(input: DatasetInput): Json {
  const d = input.dataset;
  return {
    ...listField('tags', input.tags, keyValue),
    dataset: {
      name: d.name,
      digest: d.digest,
      source_type: d.sourceType,
      source: d.source,
      ...(d.schema !== undefined ? { schema: d.schema } : {}),
      ...(d.profile !== undefined ? { profile: d.profile } : {}),
    },
  };
}

export function runJson(run: Run): Json {
  return {
    info: runInfoJson(run.info),
    data: {
      ...listField('metrics', run.metrics, metricJson),
      ...listField('params', run.params, keyValue),
      ...listField('tags', run.tags, keyValue),
    },
    inputs: listField('dataset_inputs', run.datasetInputs, datasetInputJson),
  };
}

export function loggedModelJson(m: LoggedModel): Json {
  return {
    info: {
      model_id: m.modelId,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.creationTimestamp,
      last_updated_timestamp_ms: m.lastUpdatedTimestamp,
      artifact_uri: m.artifactUri,
      status: m.status,
      ...(m.modelType !== undefined ? { model_type: m.modelType } : {}),
      ...(m.sourceRunId !== undefined ? { source_run_id: m.sourceRunId } : {}),
      ...(m.statusMessage !== undefined ? { status_message: m.statusMessage } : {}),
      ...listField('tags', m.tags, keyValue),
    },
    data: {
      ...listField('params', m.params, keyValue),
      ...listField('metrics', m.metrics, metricJson),
    },
  };
}
