import { assertStorableText } from './json-body';
import { MlflowError } from './mlflow-error';

const API_DOCS_HINT = 'See the API docs for more information about request parameters.';

/** Python type names, because MLflow's messages name the type the way its server saw it. */
function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return 'dict';
  }
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function missingParameter(name: string): MlflowError {
  return MlflowError.invalid(`Missing value for required parameter '${name}'. ${API_DOCS_HINT}`);
}

export function invalidParameter(name: string, value: unknown): MlflowError {
  return MlflowError.invalid(
    `Invalid value ${display(value)} for parameter '${name}' supplied. ` +
      `Hint: Value was of type '${pythonType(value)}'. ${API_DOCS_HINT}`,
  );
}

/** 2^63: the first double a signed 64-bit integer cannot hold. */
const INT64_LIMIT = 2 ** 63;
const INT64 = /^-?\d+$/;
const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/**
 * The fields of one MLflow request, decoded as MLflow's server does (reference §1.2): a GET with
 * a query string reads every field from it (repeated keys for lists), anything else reads the
 * JSON body. int64 may come as numbers or decimal strings; doubles also as "NaN"/"Infinity".
 * An empty string counts as missing.
 */
export class RequestFields {
  constructor(private readonly data: Record<string, unknown>) {}

  static fromQuery(query: Record<string, unknown>): RequestFields {
    assertStorableText(query);
    return new RequestFields(query);
  }

  has(name: string): boolean {
    const value = this.data[name];
    return value !== undefined && value !== null && value !== '';
  }

  /** The raw value; a repeated query key yields its first value for scalar reads. */
  private scalar(name: string): unknown {
    const value = this.data[name];
    return Array.isArray(value) && this.isQueryList(value) ? value[0] : value;
  }

  private isQueryList(value: unknown[]): boolean {
    return value.every((v) => typeof v === 'string');
  }

  string(name: string): string | undefined {
    const value = this.scalar(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    throw invalidParameter(name, value);
  }

  /** An id field: MLflow coerces numeric experiment ids to strings. */
  id(name: string): string | undefined {
    const value = this.scalar(name);
    if (typeof value === 'number' && Number.isInteger(value)) return String(value);
    return this.string(name);
  }

  requiredId(name: string): string {
    const value = this.id(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  /** `run_id`, or its legacy twin `run_uuid` that MLflow clients send beside it. */
  runId(): string {
    const value = this.string('run_id') || this.string('run_uuid');
    if (!value) throw missingParameter('run_id');
    return value;
  }

  int64(name: string): number | undefined {
    const value = this.scalar(name);
    if (value === undefined || value === null || value === '') return undefined;
    const number =
      typeof value === 'number' && Number.isInteger(value)
        ? value
        : typeof value === 'string' && INT64.test(value.trim())
          ? Number(value.trim())
          : undefined;
    // Read as a double, int64's largest values round up past what a bigint column holds.
    if (number === undefined || Math.abs(number) >= INT64_LIMIT)
      throw invalidParameter(name, value);
    return number;
  }

  requiredInt64(name: string): number {
    const value = this.int64(name);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  /** A double: a number, a numeric string, a non-finite name, or a boolean (as protobuf does). */
  double(name: string): number | undefined {
    return parseDouble(name, this.scalar(name));
  }

  bool(name: string): boolean | undefined {
    const value = this.scalar(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) {
      return value.toLowerCase() === 'true';
    }
    throw MlflowError.invalid(
      `Invalid boolean value: ${display(value)}, must be 'true' or 'false'.`,
    );
  }

  /** A repeated string field: repeated query keys, or a JSON array. */
  stringList(name: string): string[] {
    const value = this.data[name];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => {
      if (typeof item === 'string') return item;
      if (typeof item === 'number' && Number.isFinite(item)) return String(item);
      throw invalidParameter(name, value);
    });
  }

  /** A repeated message field (JSON bodies only): each item must be an object. */
  objectList(name: string): RequestFields[] {
    const value = this.data[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalidParameter(name, value);
    return value.map((item) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw invalidParameter(name, value);
      }
      return new RequestFields(item as Record<string, unknown>);
    });
  }

  object(name: string): RequestFields | undefined {
    const value = this.data[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(name, value);
    return new RequestFields(value as Record<string, unknown>);
  }

  /** An enum given by name or number; unknown values fall back like MLflow's parser does. */
  enumName<T extends string>(name: string, names: readonly T[], fallback: T): T {
    const value = this.scalar(name);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'string' && (names as readonly string[]).includes(value))
      return value as T;
    const index = typeof value === 'number' ? value : Number(value);
    if (Number.isInteger(index) && index >= 1 && index <= names.length) return names[index - 1];
    return fallback;
  }
}

export function parseDouble(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    if (value in NON_FINITE) return NON_FINITE[value];
    const trimmed = value.trim();
    if (trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  }
  throw invalidParameter(name, value);
}
