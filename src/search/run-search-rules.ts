import {
  Clause,
  LIST_COMPARATORS,
  ListComparator,
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  StringComparator,
} from './filter-ast';
import { parseFilter } from './filter-parser';
import {
  LIST_ONLY_FOR_RUN_ID,
  comparatorError,
  expectAttributeNumber,
  expectComparator,
  expectMetricNumber,
  expectQuotedString,
  expectStringList,
  invalidKeyError,
  lookup,
  numericComparator,
  parseOrderByList,
  stringOrListComparison,
} from './rule-helpers';
import {
  KeyPresenceCondition,
  KeyValueCondition,
  ListFieldCondition,
  MetricCondition,
  NumericFieldCondition,
  StringFieldCondition,
} from './search-conditions';
import { SearchSyntaxError } from './search-error';

/**
 * What runs/search accepts, as recorded from MLflow 2.10 (client-search S001–S106 and
 * client-errors E89–E112), plus `params/tags IS [NOT] NULL` from MLflow 3.x.
 */

export type RunStringField = 'run_id' | 'run_name' | 'status' | 'artifact_uri' | 'user_id';
export type RunNumericField = 'start_time' | 'end_time';
export type RunField = RunStringField | RunNumericField;
export type DatasetField = 'name' | 'digest' | 'context';

export interface DatasetCondition {
  kind: 'dataset';
  field: DatasetField;
  op: StringComparator;
  value: string;
}

export interface DatasetListCondition {
  kind: 'dataset-list';
  field: DatasetField;
  op: ListComparator;
  values: string[];
}

export type RunCondition =
  | MetricCondition
  | KeyValueCondition<'param' | 'tag'>
  | KeyPresenceCondition<'param' | 'tag'>
  | StringFieldCondition<RunStringField>
  | NumericFieldCondition<RunNumericField>
  | ListFieldCondition<'run_id'>
  | DatasetCondition
  | DatasetListCondition;

export type RunOrderKey =
  | { kind: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { kind: 'attribute'; field: RunField; ascending: boolean };

// Attribute names accepted in filters, with MLflow's aliases (`created` is start_time; the
// spaced forms of run_name are what the UI's column header produces).
const FILTER_ATTRIBUTES: Readonly<Record<string, RunField>> = {
  run_id: 'run_id',
  run_name: 'run_name',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
  status: 'status',
  artifact_uri: 'artifact_uri',
  user_id: 'user_id',
  start_time: 'start_time',
  created: 'start_time',
  Created: 'start_time',
  end_time: 'end_time',
};

// order_by takes the same names minus the spaced run_name aliases (E108 lists these).
const ORDER_ATTRIBUTES: Readonly<Record<string, RunField>> = {
  run_id: 'run_id',
  run_name: 'run_name',
  status: 'status',
  artifact_uri: 'artifact_uri',
  user_id: 'user_id',
  start_time: 'start_time',
  created: 'start_time',
  Created: 'start_time',
  end_time: 'end_time',
};

const DATASET_FIELDS: Readonly<Record<string, DatasetField>> = {
  name: 'name',
  digest: 'digest',
  context: 'context',
};

const NUMERIC_FIELDS: ReadonlySet<RunField> = new Set<RunField>(['start_time', 'end_time']);

export function parseRunFilter(filter: string | null | undefined): RunCondition[] {
  return parseFilter(filter).map(toRunCondition);
}

function toRunCondition(clause: Clause): RunCondition {
  const { entity, key } = clause.identifier;
  switch (entity) {
    case 'metric': {
      if (clause.value.kind === 'none')
        throw comparatorError(clause, NUMERIC_COMPARATORS, 'metrics');
      const value = expectMetricNumber(clause);
      return { kind: 'metric', key, op: numericComparator(clause, 'metrics'), value };
    }
    case 'param':
    case 'tag':
      return keyCondition(clause, entity);
    case 'dataset':
      return datasetCondition(clause);
    case 'attribute':
      return attributeCondition(clause);
  }
}

function keyCondition(
  clause: Clause,
  entity: 'param' | 'tag',
): KeyValueCondition<'param' | 'tag'> | KeyPresenceCondition<'param' | 'tag'> {
  const { key } = clause.identifier;
  if (clause.comparator === 'IS NULL' || clause.comparator === 'IS NOT NULL') {
    return { kind: 'key-presence', entity, key, op: clause.comparator };
  }
  const value = expectQuotedString(clause, entity === 'param' ? 'parameter' : 'tag');
  const op = expectComparator(clause, STRING_COMPARATORS, `${entity}s`);
  return { kind: 'key-value', entity, key, op, value };
}

function attributeCondition(clause: Clause): RunCondition {
  const { key } = clause.identifier;
  const field = lookup(FILTER_ATTRIBUTES, key);
  if (field === undefined) {
    throw invalidKeyError('attribute', key, Object.keys(FILTER_ATTRIBUTES));
  }
  // MLflow 2.10 and 3.x both refuse IS NULL on attributes (E104: `end_time IS NULL`).
  if (clause.value.kind === 'none') {
    const allowed = NUMERIC_FIELDS.has(field)
      ? NUMERIC_COMPARATORS
      : field === 'run_id'
        ? [...STRING_COMPARATORS, ...LIST_COMPARATORS]
        : STRING_COMPARATORS;
    throw comparatorError(clause, allowed, `attribute '${key}'`);
  }
  if (NUMERIC_FIELDS.has(field)) {
    const value = expectAttributeNumber(clause, key);
    return {
      kind: 'numeric-field',
      field: field as RunNumericField,
      op: numericComparator(clause, key),
      value,
    };
  }
  const stringField = field as RunStringField;
  if (clause.value.kind === 'list') {
    if (stringField !== 'run_id') throw new SearchSyntaxError(LIST_ONLY_FOR_RUN_ID);
    const values = expectStringList(clause, 'run_id');
    const op = expectComparator(clause, LIST_COMPARATORS, 'a list of run ids');
    return { kind: 'list-field', field: 'run_id', op, values: dropUppercase(values) };
  }
  const value = expectQuotedString(clause, 'attributes');
  const op = expectComparator(clause, STRING_COMPARATORS, `attribute '${key}'`);
  return { kind: 'string-field', field: stringField, op, value };
}

function datasetCondition(clause: Clause): DatasetCondition | DatasetListCondition {
  const { key } = clause.identifier;
  const field = lookup(DATASET_FIELDS, key);
  if (field === undefined) throw invalidKeyError('dataset', key, Object.keys(DATASET_FIELDS));
  if (clause.value.kind === 'none') {
    throw comparatorError(clause, [...STRING_COMPARATORS, ...LIST_COMPARATORS], `datasets.${key}`);
  }
  const comparison = stringOrListComparison(clause, `datasets.${key}`);
  return comparison.kind === 'list'
    ? { kind: 'dataset-list', field, op: comparison.op, values: comparison.values }
    : { kind: 'dataset', field, op: comparison.op, value: comparison.value };
}

/**
 * Run ids are lowercase hex. MLflow silently drops list members that contain uppercase letters
 * (it never matches them), so `run_id IN ('ABC')` matches nothing and `NOT IN ('ABC')` everything.
 */
export function dropUppercase(values: string[]): string[] {
  return values.filter((value) => value === value.toLowerCase());
}

export function parseRunOrderBy(orderBy: readonly string[] | null | undefined): RunOrderKey[] {
  return parseOrderByList(orderBy, (term): { identity: string; key: RunOrderKey } => {
    const { entity, key } = term.identifier;
    const { ascending } = term;
    switch (entity) {
      case 'metric':
      case 'param':
      case 'tag':
        return { identity: `${entity}s.${key}`, key: { kind: entity, key, ascending } };
      case 'attribute': {
        const field = lookup(ORDER_ATTRIBUTES, key);
        if (field === undefined) {
          throw invalidKeyError('attribute', key, Object.keys(ORDER_ATTRIBUTES));
        }
        return { identity: `attributes.${field}`, key: { kind: 'attribute', field, ascending } };
      }
      case 'dataset':
        throw new SearchSyntaxError(
          `Invalid order_by clause '${term.source}': runs cannot be ordered by dataset fields.`,
        );
    }
  });
}
