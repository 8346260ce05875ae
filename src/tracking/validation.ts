import { MlflowError } from 'src/common/mlflow-error';

/** MLflow's limits (reference §8), enforced before anything is written. */
export const LIMITS = {
  keyLength: 250,
  paramValue: 6000,
  runTagValue: 8000,
  experimentTagValue: 5000,
  experimentName: 500,
  artifactLocation: 2048,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
} as const;

/**
 * Key names as MLflow accepts them: word characters (Unicode letters and digits, as Python's
 * `\w` is Unicode-aware), `/ . - _`, space and colon, in a normalised relative path.
 */
const KEY_CHARS = /^[/\p{L}\p{N}\p{M}_.\- :]*$/u;

function isNormalisedPath(key: string): boolean {
  if (key === '.' || key.startsWith('/') || key.endsWith('/')) return false;
  return key.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

export function validateKey(kind: 'metric' | 'param' | 'tag', key: string): void {
  if (!KEY_CHARS.test(key) || !isNormalisedPath(key)) {
    throw MlflowError.invalid(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), ` +
        'dashes (-), periods (.), spaces ( ), colons (:) and slashes (/), and must be a ' +
        'normalized relative path.',
    );
  }
  checkLength(`${kind} name`, key, LIMITS.keyLength);
}

export function checkLength(what: string, value: string, max: number): void {
  if (value.length > max) {
    throw MlflowError.invalid(
      `'${what}' exceeds the maximum length of ${max} characters (got ${value.length}).`,
    );
  }
}

const MAX_DOUBLE = 1.7976931348623157e308;

/** The SQL store keeps ±Infinity as ±max double, so reads return what MLflow's would. */
export function storableMetricValue(value: number): number {
  if (value === Number.POSITIVE_INFINITY) return MAX_DOUBLE;
  if (value === Number.NEGATIVE_INFINITY) return -MAX_DOUBLE;
  return value;
}

export function validateTimestamp(key: string, value: number, timestamp: number): void {
  if (timestamp < 0) {
    throw MlflowError.invalid(
      `Got invalid timestamp ${timestamp} for metric '${key}' (value=${value}). ` +
        'Timestamp must be a nonnegative long (64-bit integer) ',
    );
  }
}
