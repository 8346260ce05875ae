import { MlflowError } from 'src/common/mlflow-error';
import { missingParameter } from 'src/common/request-fields';
import { validateKey } from 'src/tracking/validation';
import { STAGES, type KeyValue, type Stage } from './registry.entities';

/** MLflow's registry limits (reference §8) and its column sizes, checked before any write. */
export const REGISTRY_LIMITS = {
  modelName: 256,
  alias: 255,
  tagValue: 5000,
} as const;

const INT32_MAX = 2147483647;

export function modelNotFound(name: string): MlflowError {
  return MlflowError.notFound(`Registered Model with name=${name} not found`);
}

export function versionNotFound(name: string, version: number | string): MlflowError {
  return MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`);
}

/** A registered model name: non-empty (as MLflow) and within its column. */
export function validateModelName(name: string, field = 'name'): void {
  if (name === '') throw missingParameter(field);
  if (name.length > REGISTRY_LIMITS.modelName) {
    throw MlflowError.invalid(
      `Registered model name '${name.slice(0, 40)}…' had length ${name.length}, which exceeded ` +
        `length limit of ${REGISTRY_LIMITS.modelName}`,
    );
  }
}

/**
 * A model version number given as text (MLflow reads it with Python's int()). A number no
 * version can have (beyond the int column) is simply not found.
 */
export function parseVersion(name: string, raw: string): number {
  const text = raw.trim();
  if (!/^[-+]?\d+$/.test(text)) {
    throw MlflowError.invalid(`Parameter 'version' must be an integer, got '${raw}'.`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > INT32_MAX) {
    throw versionNotFound(name, raw);
  }
  return value;
}

/** Stage names are case-insensitive on input and canonical on output. */
export function canonicalStage(stage: string): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === stage.trim().toLowerCase());
  if (found === undefined) {
    throw MlflowError.invalid(
      `Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`,
    );
  }
  return found;
}

// Python's \w is Unicode-aware: letters, digits, marks and the underscore.
const ALIAS_CHARS = /^[\p{L}\p{N}\p{M}_-]*$/u;

/** Alias names: word characters and dashes, at most 255, not `latest` and not `v<digits>`. */
export function validateAlias(alias: string): void {
  if (alias === '') throw missingParameter('alias');
  if (!ALIAS_CHARS.test(alias)) {
    throw MlflowError.invalid(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), ` +
        'and dashes (-).',
    );
  }
  if (alias.length > REGISTRY_LIMITS.alias) {
    throw MlflowError.invalid(
      `Registered model alias name '${alias}' had length ${alias.length}, which exceeded ` +
        `length limit of ${REGISTRY_LIMITS.alias}`,
    );
  }
  if (alias.toLowerCase() === 'latest') {
    throw MlflowError.invalid("'latest' alias name (case insensitive) is reserved.");
  }
  if (/^[vV]\d+$/.test(alias)) {
    throw MlflowError.invalid(`Version alias name '${alias}' is reserved.`);
  }
}

/** Registered model and model version tags: a run-tag key, a value of at most 5000. */
export function validateRegistryTag(kind: 'Registered model' | 'Model version', tag: KeyValue) {
  validateKey('tag', tag.key);
  if (tag.value.length > REGISTRY_LIMITS.tagValue) {
    throw MlflowError.invalid(
      `${kind} value '${tag.value.slice(0, 40)}…' had length ${tag.value.length}, which exceeded ` +
        `length limit of ${REGISTRY_LIMITS.tagValue}`,
    );
  }
}
