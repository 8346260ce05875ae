/**
 * The typed syntax tree of MLflow's search filter grammar, shared by every search kind (runs,
 * experiments, registered models, model versions). The parser only checks syntax; what each search
 * accepts (entities, keys, comparators, value types) is decided afterwards by the per-search rule
 * files, because MLflow answers the same clause differently depending on the endpoint.
 */

/** Entity prefixes after alias resolution (`metrics.` / `metric.` → `metric`, ...). */
export type EntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/**
 * Every prefix MLflow accepts, mapped to its entity. Prefixes are case-sensitive (as in MLflow):
 * `METRICS.loss` is an invalid entity type, not a metric.
 */
export const ENTITY_PREFIXES: Readonly<Record<string, EntityType>> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

export interface Identifier {
  entity: EntityType;
  /** The key with quotes removed: `tags."dotted.key"` → `dotted.key`. May be '' (`metrics.`). */
  key: string;
  /** False when no prefix was written (`status = 'x'`): the entity then defaults to attribute. */
  hasPrefix: boolean;
  /** The identifier as written, for error messages. */
  source: string;
}

export const NUMERIC_COMPARATORS = ['=', '!=', '<', '<=', '>', '>='] as const;
export const STRING_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'] as const;
export const LIST_COMPARATORS = ['IN', 'NOT IN'] as const;
export const NULL_COMPARATORS = ['IS NULL', 'IS NOT NULL'] as const;

export type NumericComparator = (typeof NUMERIC_COMPARATORS)[number];
export type StringComparator = (typeof STRING_COMPARATORS)[number];
export type ListComparator = (typeof LIST_COMPARATORS)[number];
export type NullComparator = (typeof NULL_COMPARATORS)[number];
export type Comparator = NumericComparator | StringComparator | ListComparator | NullComparator;

export interface StringValue {
  kind: 'string';
  value: string;
  source: string;
}

export interface NumberValue {
  kind: 'number';
  /** The literal as written (`1e-1`, `-1`, `.5`): sent to Postgres as text to avoid rounding. */
  literal: string;
  value: number;
  source: string;
}

export interface ListValue {
  kind: 'list';
  items: Array<StringValue | NumberValue>;
  source: string;
}

/** The (absent) right-hand side of `IS NULL` / `IS NOT NULL`. */
export interface NoValue {
  kind: 'none';
  source: string;
}

export type FilterValue = StringValue | NumberValue | ListValue | NoValue;

export interface Clause {
  identifier: Identifier;
  comparator: Comparator;
  value: FilterValue;
  /** The whole clause as written, for error messages. */
  source: string;
}

/** One order_by entry: `<identifier> [ASC|DESC]`. */
export interface OrderByTerm {
  identifier: Identifier;
  ascending: boolean;
  source: string;
}

export function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}
