import { experimentJson, runJson } from 'src/tracking/tracking.json';
import type { TransitionRequest } from './approvals.service';
import type { Lineage } from './lineage.service';
import type { AuditEvent, KeyValue, ModelVersion, RegisteredModel } from './registry.entities';

/**
 * The JSON shapes of MLflow's registry protos (snake_case, unset fields and empty lists left
 * out, versions as strings) and of Kiln's own registry answers.
 */
type Json = Record<string, unknown>;

function listField<T>(name: string, items: T[], map: (item: T) => unknown): Json {
  return items.length > 0 ? { [name]: items.map(map) } : {};
}

function optional(name: string, value: string | number | null | undefined): Json {
  return value === null || value === undefined || value === '' ? {} : { [name]: value };
}

const keyValue = (kv: KeyValue): Json => ({ key: kv.key, value: kv.value });

/** MLflow always sends `description` and `run_link` of a version, "" when unset. */
export function modelVersionJson(v: ModelVersion): Json {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    ...optional('user_id', v.userId),
    current_stage: v.currentStage,
    description: v.description ?? '',
    source: v.source,
    ...optional('run_id', v.runId),
    status: v.status,
    ...optional('status_message', v.statusMessage),
    ...listField('tags', v.tags, keyValue),
    run_link: v.runLink ?? '',
    ...listField('aliases', v.aliases, (a) => a),
    ...optional('model_id', v.modelId),
  };
}

export function registeredModelJson(m: RegisteredModel): Json {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    ...optional('description', m.description),
    ...listField('latest_versions', m.latestVersions, modelVersionJson),
    ...listField('tags', m.tags, keyValue),
    ...listField('aliases', m.aliases, (a) => ({ alias: a.alias, version: String(a.version) })),
  };
}

export function auditEventJson(e: AuditEvent): Json {
  const isAlias = e.action === 'SET_ALIAS' || e.action === 'DELETE_ALIAS';
  const isRename = e.action === 'RENAME_REGISTERED_MODEL';
  const [fromKey, toKey] = isAlias
    ? ['from_version', 'to_version']
    : isRename
      ? ['from_name', 'to_name']
      : ['from_stage', 'to_stage'];
  return {
    id: String(e.id),
    action: e.action,
    name: e.name,
    ...optional('version', e.version === null ? null : String(e.version)),
    ...optional('alias', e.alias),
    ...optional(fromKey, e.from),
    ...optional(toKey, e.to),
    user_id: e.userId,
    timestamp: e.timestamp,
    ...optional('comment', e.comment),
  };
}

/** Source-code tags MLflow's clients set on a run. */
const SOURCE_TAGS: ReadonlyArray<readonly [string, string]> = [
  ['git_commit', 'mlflow.source.git.commit'],
  ['git_branch', 'mlflow.source.git.branch'],
  ['git_repo_url', 'mlflow.source.git.repoURL'],
  ['source_name', 'mlflow.source.name'],
  ['source_type', 'mlflow.source.type'],
];

export function lineageJson(l: Lineage): Json {
  const run = l.run ? runJson(l.run) : undefined;
  const tags = new Map((l.run?.tags ?? []).map((t) => [t.key, t.value]));
  const source: Json = {};
  for (const [field, tag] of SOURCE_TAGS) Object.assign(source, optional(field, tags.get(tag)));
  return {
    model_version: modelVersionJson(l.version),
    artifact_uri: l.artifactUri,
    ...optional('run_id', l.runId),
    ...(run ? { run } : {}),
    ...(Object.keys(source).length > 0 ? { source_code: source } : {}),
    ...(run && (run.inputs as Json).dataset_inputs
      ? { datasets: (run.inputs as Json).dataset_inputs }
      : {}),
    ...(l.experiment ? { experiment: experimentJson(l.experiment) } : {}),
  };
}

/** A transition request as Kiln answers it: ids and versions as strings, like MLflow's. */
export function transitionRequestJson(r: TransitionRequest): Json {
  return {
    id: String(r.id),
    name: r.name,
    version: String(r.version),
    stage: r.stage,
    archive_existing_versions: r.archiveExisting,
    status: r.status,
    requested_by: r.requestedBy,
    requested_at: r.requestedAt,
    ...optional('comment', r.comment),
    ...optional('decided_by', r.decidedBy),
    ...optional('decided_at', r.decidedAt),
    ...optional('decision_comment', r.decisionComment),
  };
}
