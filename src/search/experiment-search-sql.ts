import {
  ExperimentCondition,
  ExperimentOrderField,
  parseExperimentFilter,
  parseExperimentOrderBy,
} from './experiment-search-rules';
import { OrderKey } from './search-conditions';
import {
  compareInteger,
  compareString,
  lifecycleCondition,
  orderItems,
  pagingClause,
  SearchViewType,
  SqlParams,
  SqlQuery,
  whereClause,
  IdScope,
  scopeCondition,
} from './sql-builder';

export interface ExperimentSearchSqlInput {
  filter?: string | null;
  orderBy?: readonly string[] | null;
  viewType: SearchViewType;
  offset: number;
  limit: number;
  /** The experiments the caller may read. */
  scope?: IdScope;
}

/**
 * Compiles an experiments/search request into one query returning the `experiment_id`s of the
 * page, in order. Tag clauses are EXISTS probes on experiment_tags' (experiment_id, key) key.
 *
 * Order: with no order_by, `creation_time DESC, experiment_id ASC`; otherwise the given keys,
 * then `experiment_id DESC` as the tie-break unless experiment_id was one of them.
 */
export function buildExperimentSearchSql(input: ExperimentSearchSqlInput): SqlQuery {
  const conditions = parseExperimentFilter(input.filter);
  const orderKeys = parseExperimentOrderBy(input.orderBy);
  const params = new SqlParams();

  const where: string[] = [];
  const lifecycle = lifecycleCondition('e.lifecycle_stage', input.viewType);
  if (lifecycle) where.push(lifecycle);
  const visible = scopeCondition('e.experiment_id', input.scope, params);
  if (visible) where.push(visible);
  for (const condition of conditions) where.push(conditionSql(condition, params));

  const text = [
    'SELECT e.experiment_id',
    'FROM experiments e',
    whereClause(where),
    `ORDER BY ${orderSql(orderKeys).join(', ')}`,
    pagingClause(input.offset, input.limit, params),
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { text, values: params.values };
}

const EXPERIMENT_COLUMNS: Readonly<Record<ExperimentOrderField, string>> = {
  name: 'e.name',
  experiment_id: 'e.experiment_id',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
};

function conditionSql(condition: ExperimentCondition, params: SqlParams): string {
  switch (condition.kind) {
    case 'string-field':
      return compareString(
        EXPERIMENT_COLUMNS[condition.field],
        condition.op,
        condition.value,
        params,
      );
    case 'numeric-field':
      return compareInteger(
        EXPERIMENT_COLUMNS[condition.field],
        condition.op,
        condition.value,
        params,
      );
    case 'key-value':
      return (
        'EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id' +
        ` AND t.key = ${params.add(condition.key)}` +
        ` AND ${compareString('t.value', condition.op, condition.value, params)})`
      );
    case 'key-presence': {
      const exists =
        'EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id' +
        ` AND t.key = ${params.add(condition.key)})`;
      return condition.op === 'IS NULL' ? `NOT ${exists}` : exists;
    }
  }
}

function orderSql(keys: OrderKey<ExperimentOrderField>[]): string[] {
  if (keys.length === 0) return ['e.creation_time DESC', 'e.experiment_id ASC'];
  const items = keys.flatMap((key) => orderItems(EXPERIMENT_COLUMNS[key.field], key.ascending));
  if (!keys.some((key) => key.field === 'experiment_id')) items.push('e.experiment_id DESC');
  return items;
}
