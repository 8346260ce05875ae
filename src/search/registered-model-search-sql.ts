import {
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  RegisteredModelCondition,
  RegisteredModelOrderField,
} from './registered-model-search-rules';
import { OrderKey } from './search-conditions';
import {
  compareString,
  orderItems,
  pagingClause,
  SqlParams,
  SqlQuery,
  whereClause,
} from './sql-builder';

export interface RegisteredModelSearchSqlInput {
  filter?: string | null;
  orderBy?: readonly string[] | null;
  offset: number;
  limit: number;
}

/**
 * Compiles a registered-models/search request into one query returning the page's model
 * `name`s, in order: the given keys, then `name ASC` (also the default order).
 *
 * Tables: registered_models(name, creation_time, last_updated_time, ...) and
 * registered_model_tags(name, key, value).
 */
export function buildRegisteredModelSearchSql(input: RegisteredModelSearchSqlInput): SqlQuery {
  const conditions = parseRegisteredModelFilter(input.filter);
  const orderKeys = parseRegisteredModelOrderBy(input.orderBy);
  const params = new SqlParams();
  const where = conditions.map((condition) => conditionSql(condition, params));
  const text = [
    'SELECT rm.name',
    'FROM registered_models rm',
    whereClause(where),
    `ORDER BY ${orderSql(orderKeys).join(', ')}`,
    pagingClause(input.offset, input.limit, params),
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { text, values: params.values };
}

const COLUMNS: Readonly<Record<RegisteredModelOrderField, string>> = {
  name: 'rm.name',
  last_updated_timestamp: 'rm.last_updated_time',
};

function conditionSql(condition: RegisteredModelCondition, params: SqlParams): string {
  switch (condition.kind) {
    case 'string-field':
      return compareString(COLUMNS[condition.field], condition.op, condition.value, params);
    case 'key-value':
      return (
        'EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = rm.name' +
        ` AND t.key = ${params.add(condition.key)}` +
        ` AND ${compareString('t.value', condition.op, condition.value, params)})`
      );
  }
}

function orderSql(keys: OrderKey<RegisteredModelOrderField>[]): string[] {
  const items = keys.flatMap((key) => orderItems(COLUMNS[key.field], key.ascending));
  if (!keys.some((key) => key.field === 'name')) items.push('rm.name ASC');
  return items;
}
