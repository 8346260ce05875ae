import {
  parseRunFilter,
  parseRunOrderBy,
  RunCondition,
  RunField,
  RunOrderKey,
} from './run-search-rules';
import { SearchSyntaxError } from './search-error';
import {
  compareFloat,
  compareInteger,
  compareList,
  compareString,
  lifecycleCondition,
  orderItems,
  pagingClause,
  SearchViewType,
  SqlParams,
  SqlQuery,
  whereClause,
} from './sql-builder';

export interface RunSearchSqlInput {
  experimentIds: readonly number[];
  filter?: string | null;
  orderBy?: readonly string[] | null;
  viewType: SearchViewType;
}

/**
 * Where a page starts. A search's order is split into sections that follow each other (see
 * `planRunSearch`); `skip` counts rows already returned from the section's start, or, when
 * `after` is set, from the first row whose order value equals `after`.
 */
export interface RunSearchPosition {
  section: number;
  after?: string;
  skip: number;
}

export interface RunSearchPlan {
  readonly sections: number;
  /** Section 0 is walked by its order value, and its rows carry that value as `order_value`. */
  readonly keyed: boolean;
  /** The SQL for up to `limit` run ids of one section, from `position` on, in order. */
  query(position: RunSearchPosition, limit: number): SqlQuery;
}

/**
 * Compiles a runs/search request into queries that return the `run_uuid`s of a page, in order.
 *
 * Ordered by attributes only (or not at all), a search is one section, one query:
 *
 *   SELECT r.run_uuid FROM runs r
 *   LEFT JOIN latest_metrics o1 ON o1.run_uuid = r.run_uuid AND o1.key = $k  -- later order keys
 *   WHERE r.experiment_id = ANY($1::int[]) AND r.lifecycle_stage = 'active'
 *     AND EXISTS (SELECT 1 FROM params p WHERE p.run_uuid = r.run_uuid AND p.key = $k ...)
 *   ORDER BY ..., r.start_time DESC, r.run_uuid ASC
 *   LIMIT $n OFFSET $m
 *
 * Ordered first by a metric, param or tag, the order is split into the runs that have a value
 * for that key (section 0), for metrics the runs whose value is NaN (section 1), and the runs
 * without the key (last section), which is exactly MLflow's "NaN, then missing values, last"
 * order. Section 0 drives from the key's rows in value order (an index walk on
 * latest_metrics (key, value) for metrics) and stops once the page is full, so a page costs about
 * its size divided by the filter's selectivity rather than a sort of every matching run; its page
 * positions are keyset positions (a value and the rows already seen with it), so deep pages do
 * not rescan the pages before them.
 *
 * Every filter is an EXISTS probe on a (run_uuid, key) primary key and every further order key is
 * a LEFT JOIN on that same key, so each run appears at most once: no row explosion, no DISTINCT.
 */
export function planRunSearch(input: RunSearchSqlInput): RunSearchPlan {
  const conditions = parseRunFilter(input.filter);
  const [first, ...rest] = parseRunOrderBy(input.orderBy);
  const common = (params: SqlParams, experimentColumn = 'r.experiment_id') => {
    const where = [experimentCondition(experimentColumn, input.experimentIds, params)];
    const lifecycle = lifecycleCondition('r.lifecycle_stage', input.viewType);
    if (lifecycle) where.push(lifecycle);
    for (const condition of conditions) where.push(conditionSql(condition, params));
    return where;
  };
  const select = (
    columns: string,
    joins: string[],
    where: string[],
    order: string[],
    paging: string,
  ) =>
    [
      `SELECT ${columns}`,
      'FROM runs r',
      ...joins,
      whereClause(where),
      `ORDER BY ${order.join(', ')}`,
      paging,
    ].join('\n');

  if (first === undefined || first.kind === 'attribute') {
    const keys = first ? [first, ...rest] : [];
    return {
      sections: 1,
      keyed: false,
      query: (position, limit) => {
        const params = new SqlParams();
        const where = common(params);
        const { joins, items } = orderSql(keys, params);
        const paging = pagingClause(position.skip, limit, params);
        return { text: select('r.run_uuid', joins, where, items, paging), values: params.values };
      },
    };
  }

  const table = ORDER_TABLES[first.kind];
  const numeric = first.kind === 'metric';
  const sections = numeric ? ['value', 'nan', 'missing'] : ['value', 'missing'];
  return {
    sections: sections.length,
    keyed: true,
    query: (position, limit) => {
      const params = new SqlParams();
      const key = params.add(first.key);
      const section = sections[position.section];
      // latest_metrics has (experiment_id, key, value), so one experiment walks that index. The
      // experiment is tested on o0 only: testing it on runs as well would make the planner count
      // the same condition twice and expect far fewer matches than there are.
      const walksExperiment = section === 'value' && numeric;
      const where = common(params, walksExperiment ? 'o0.experiment_id' : 'r.experiment_id');
      const { joins, items } = orderSql(rest, params);
      const owns = `o0.run_uuid = r.run_uuid AND o0.key = ${key}`;
      let columns = 'r.run_uuid';
      if (section === 'value') {
        columns += ', o0.value AS order_value';
        joins.unshift(`JOIN ${table} o0 ON ${owns}`);
        // Postgres sorts NaN above every number; NaN runs have their own section.
        if (numeric) where.push("o0.value < 'NaN'::float8");
        if (position.after !== undefined) {
          const bound = params.add(position.after, numeric ? 'float8' : 'text');
          where.push(`o0.value ${first.ascending ? '>=' : '<='} ${bound}`);
        }
        items.unshift(`o0.value ${first.ascending ? 'ASC' : 'DESC'}`);
      } else if (section === 'nan') {
        where.push(`EXISTS (SELECT 1 FROM ${table} o0 WHERE ${owns} AND o0.value = 'NaN'::float8)`);
      } else {
        where.push(`NOT EXISTS (SELECT 1 FROM ${table} o0 WHERE ${owns})`);
      }
      const paging = pagingClause(position.skip, limit, params);
      return { text: select(columns, joins, where, items, paging), values: params.values };
    },
  };
}

/** Run attributes → SQL columns. The only place a run field becomes SQL text. */
const RUN_COLUMNS: Readonly<Record<RunField, { expr: string; nullable: boolean }>> = {
  run_id: { expr: 'r.run_uuid', nullable: false },
  // runs.name is kept equal to the tag mlflow.runName by the runs store, and reading the column
  // avoids a tag lookup per run.
  run_name: { expr: 'r.name', nullable: false },
  status: { expr: 'r.status', nullable: false },
  artifact_uri: { expr: 'r.artifact_uri', nullable: false },
  user_id: { expr: 'r.user_id', nullable: false },
  start_time: { expr: 'r.start_time', nullable: false },
  end_time: { expr: 'r.end_time', nullable: true },
};

const KEY_TABLES = { param: 'params', tag: 'tags' } as const;

/** The input tag that carries a dataset's role ("training", "eval", ...) for one run. */
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

function conditionSql(condition: RunCondition, params: SqlParams): string {
  switch (condition.kind) {
    case 'metric':
      return (
        'EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid' +
        ` AND m.key = ${params.add(condition.key)}` +
        ` AND ${compareFloat('m.value', condition.op, condition.value, params)})`
      );
    case 'key-value': {
      const table = KEY_TABLES[condition.entity];
      return (
        `EXISTS (SELECT 1 FROM ${table} k WHERE k.run_uuid = r.run_uuid` +
        ` AND k.key = ${params.add(condition.key)}` +
        ` AND ${compareString('k.value', condition.op, condition.value, params)})`
      );
    }
    case 'key-presence': {
      const table = KEY_TABLES[condition.entity];
      const exists =
        `EXISTS (SELECT 1 FROM ${table} k WHERE k.run_uuid = r.run_uuid` +
        ` AND k.key = ${params.add(condition.key)})`;
      return condition.op === 'IS NULL' ? `NOT ${exists}` : exists;
    }
    case 'string-field':
      return compareString(
        RUN_COLUMNS[condition.field].expr,
        condition.op,
        condition.value,
        params,
      );
    case 'numeric-field':
      return compareInteger(
        RUN_COLUMNS[condition.field].expr,
        condition.op,
        condition.value,
        params,
      );
    case 'list-field':
      return compareList('r.run_uuid', condition.op, condition.values, params);
    case 'dataset':
    case 'dataset-list': {
      const compare = (expr: string) =>
        condition.kind === 'dataset'
          ? compareString(expr, condition.op, condition.value, params)
          : compareList(expr, condition.op, condition.values, params);
      if (condition.field === 'context') {
        // run_inputs.tags is a JSON array of {key, value}; the guard keeps a malformed value from
        // making jsonb_array_elements fail the whole search.
        return (
          'EXISTS (SELECT 1 FROM run_inputs ri CROSS JOIN LATERAL jsonb_array_elements(' +
          "CASE WHEN jsonb_typeof(ri.tags) = 'array' THEN ri.tags ELSE '[]'::jsonb END) AS it(tag)" +
          ` WHERE ri.run_uuid = r.run_uuid AND it.tag->>'key' = '${DATASET_CONTEXT_TAG}'` +
          ` AND ${compare("it.tag->>'value'")})`
        );
      }
      const column = condition.field === 'name' ? 'd.name' : 'd.digest';
      return (
        'EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d ON d.dataset_uuid = ri.dataset_uuid' +
        ` WHERE ri.run_uuid = r.run_uuid AND ${compare(column)})`
      );
    }
  }
}

const ORDER_TABLES = { metric: 'latest_metrics', param: 'params', tag: 'tags' } as const;

/**
 * ORDER BY for the requested keys, then MLflow's tie-breaks: `start_time DESC` unless start_time
 * was ordered on, then `run_uuid ASC` unless run_id was. With no order_by at all this is the
 * default order, start_time DESC, run_uuid ASC.
 */
function orderSql(keys: RunOrderKey[], params: SqlParams): { joins: string[]; items: string[] } {
  const joins: string[] = [];
  const items: string[] = [];
  for (const key of keys) {
    if (key.kind === 'attribute') {
      const column = RUN_COLUMNS[key.field];
      items.push(...orderItems(column.expr, key.ascending, { nullable: column.nullable }));
      continue;
    }
    const alias = `o${joins.length + 1}`;
    joins.push(
      `LEFT JOIN ${ORDER_TABLES[key.kind]} ${alias} ON ${alias}.run_uuid = r.run_uuid` +
        ` AND ${alias}.key = ${params.add(key.key)}`,
    );
    const expr = `${alias}.value`;
    items.push(
      ...orderItems(
        expr,
        key.ascending,
        key.kind === 'metric' ? { nanLast: true } : { nullable: true },
      ),
    );
  }
  const orders = (field: RunField) => keys.some((k) => k.kind === 'attribute' && k.field === field);
  if (!orders('start_time')) items.push('r.start_time DESC');
  if (!orders('run_id')) items.push('r.run_uuid ASC');
  return { joins, items };
}

const INT4_MAX = 2147483647;

/**
 * One experiment (the UI's usual case) is compared with `=`, so the planner can walk the
 * (experiment_id, lifecycle_stage, start_time DESC, run_uuid) index in order and stop at LIMIT;
 * with `= ANY(...)` it has to sort every matching run.
 */
function experimentCondition(expr: string, ids: readonly number[], params: SqlParams): string {
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id < 0 || id > INT4_MAX) {
      throw new SearchSyntaxError(`Invalid experiment id ${id}: expected a non-negative integer.`);
    }
  }
  return ids.length === 1
    ? `${expr} = ${params.add(ids[0], 'int')}`
    : `${expr} = ANY(${params.add([...ids], 'int[]')})`;
}
