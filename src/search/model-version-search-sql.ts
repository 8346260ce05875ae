import {
  ModelVersionCondition,
  ModelVersionOrderField,
  ModelVersionStringField,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
} from './model-version-search-rules';
import { OrderKey } from './search-conditions';
import {
  compareInteger,
  compareList,
  compareString,
  orderItems,
  pagingClause,
  SqlParams,
  SqlQuery,
  whereClause,
} from './sql-builder';

export interface ModelVersionSearchSqlInput {
  filter?: string | null;
  orderBy?: readonly string[] | null;
  offset: number;
  limit: number;
}

/**
 * Compiles a model-versions/search request into one query returning the page's
 * `(name, version)` pairs, in order. Versions soft-deleted the MLflow way
 * (`current_stage = 'Deleted_Internal'`) never match.
 *
 * Order: with no order_by, `last_updated_timestamp DESC, name ASC, version_number DESC`;
 * otherwise the given keys, then `name ASC` and `version_number DESC` where not already given.
 *
 * Tables: model_versions(name, version, creation_time, last_updated_time, current_stage, source,
 * run_id, ...) and model_version_tags(name, version, key, value).
 */
export function buildModelVersionSearchSql(input: ModelVersionSearchSqlInput): SqlQuery {
  const conditions = parseModelVersionFilter(input.filter);
  const orderKeys = parseModelVersionOrderBy(input.orderBy);
  const params = new SqlParams();
  const where = [`mv.current_stage <> 'Deleted_Internal'`];
  for (const condition of conditions) where.push(conditionSql(condition, params));
  const text = [
    'SELECT mv.name, mv.version',
    'FROM model_versions mv',
    whereClause(where),
    `ORDER BY ${orderSql(orderKeys).join(', ')}`,
    pagingClause(input.offset, input.limit, params),
  ].join('\n');
  return { text, values: params.values };
}

const STRING_COLUMNS: Readonly<Record<ModelVersionStringField, string>> = {
  name: 'mv.name',
  source_path: 'mv.source',
  run_id: 'mv.run_id',
};

const ORDER_COLUMNS: Readonly<Record<ModelVersionOrderField, string>> = {
  name: 'mv.name',
  version_number: 'mv.version',
  creation_timestamp: 'mv.creation_time',
  last_updated_timestamp: 'mv.last_updated_time',
};

function conditionSql(condition: ModelVersionCondition, params: SqlParams): string {
  switch (condition.kind) {
    case 'string-field':
      return compareString(STRING_COLUMNS[condition.field], condition.op, condition.value, params);
    case 'list-field':
      return compareList('mv.run_id', condition.op, condition.values, params);
    case 'numeric-field':
      return compareInteger('mv.version', condition.op, condition.value, params);
    case 'key-value':
      return (
        'EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = mv.name AND t.version = mv.version' +
        ` AND t.key = ${params.add(condition.key)}` +
        ` AND ${compareString('t.value', condition.op, condition.value, params)})`
      );
  }
}

function orderSql(keys: OrderKey<ModelVersionOrderField>[]): string[] {
  if (keys.length === 0) {
    return ['mv.last_updated_time DESC', 'mv.name ASC', 'mv.version DESC'];
  }
  const items = keys.flatMap((key) => orderItems(ORDER_COLUMNS[key.field], key.ascending));
  const has = (field: ModelVersionOrderField) => keys.some((key) => key.field === field);
  if (!has('name')) items.push('mv.name ASC');
  if (!has('version_number')) items.push('mv.version DESC');
  return items;
}
