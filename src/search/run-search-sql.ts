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
  /** The SQL for up to `limit` runs of one section, from `position` on, in order. */
  query(position: RunSearchPosition, limit: number): SqlQuery;
}

type OrderCast = 'float8' | 'bigint' | 'text';

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/**
 * Whether a page token's order value casts to the first key's type without a database error.
 * Tokens carry values as this server writes them (String of a number, int8 text), so anything
 * else is not one of its tokens.
 */
function fitsCast(value: string, cast: OrderCast): boolean {
  switch (cast) {
    case 'text':
      return !value.includes('\u0000');
    case 'float8':
      return String(Number(value)) === value;
    case 'bigint':
      return /^-?\d{1,19}$/.test(value) && BigInt(value) >= INT8_MIN && BigInt(value) <= INT8_MAX;
  }
}

/** MLflow's order when none is given: newest first (then run_uuid, the last tie-break). */
const DEFAULT_ORDER: RunOrderKey = { kind: 'attribute', field: 'start_time', ascending: false };

/**
 * Compiles a runs/search request into queries that return the `run_uuid`s of a page, in order.
 *
 * The order is split into sections on its first key: the runs that have a value for it (section
 * 0), for a metric the runs whose value is NaN, and the runs without a value (a missing metric,
 * param or tag, or a null end_time), which is MLflow's "NaN, then missing values, last". Section
 * 0 reads runs in the first key's order from an index (latest_metrics (experiment_id, key, value)
 * or (key, value) for metrics, runs (start_time DESC, run_uuid) for the default order) and stops
 * once the page is full, so a page costs about its size divided by the filter's selectivity
 * rather than a sort of every matching run:
 *
 *   SELECT r.run_uuid, o0.value AS order_value FROM runs r
 *   JOIN latest_metrics o0 ON o0.run_uuid = r.run_uuid AND o0.key = $1
 *   LEFT JOIN params o1 ON o1.run_uuid = r.run_uuid AND o1.key = $2    -- later order keys
 *   WHERE o0.experiment_id = ANY($3::int[]) AND r.lifecycle_stage = 'active'
 *     AND EXISTS (SELECT 1 FROM params k WHERE k.run_uuid = r.run_uuid AND k.key = $4 ...)
 *     AND o0.value < 'NaN'::float8 AND o0.value >= $5::float8          -- the page's position
 *   ORDER BY o0.value ASC, (o1.value IS NULL), o1.value ASC, r.start_time DESC, r.run_uuid ASC
 *   LIMIT $6 OFFSET $7
 *
 * Positions in section 0 are keyset positions (an order value and how many rows with it were
 * returned), so a deep page does not rescan the pages before it and runs added meanwhile do not
 * shift the pages of a client that is paging; the (usually small) other sections page by offset.
 *
 * Every filter is an EXISTS probe on a (run_uuid, key) primary key and every later order key is
 * a LEFT JOIN on that same key, so each run appears at most once: no row explosion, no DISTINCT.
 */
export function planRunSearch(input: RunSearchSqlInput): RunSearchPlan {
  const conditions = parseRunFilter(input.filter);
  const parsed = parseRunOrderBy(input.orderBy);
  const keys = parsed.length > 0 ? parsed : [DEFAULT_ORDER];
  const [first, ...rest] = keys;
  const metric = first.kind === 'metric';
  const column = first.kind === 'attribute' ? RUN_COLUMNS[first.field] : undefined;
  const sections = metric
    ? (['value', 'nan', 'missing'] as const)
    : column && !column.nullable
      ? (['value'] as const)
      : (['value', 'missing'] as const);
  const cast: OrderCast = metric ? 'float8' : column?.integer ? 'bigint' : 'text';

  return {
    sections: sections.length,
    query: (position, limit) => {
      const params = new SqlParams();
      const section = sections[position.section];
      const key = first.kind === 'attribute' ? undefined : params.add(first.key);
      const owns = `o0.run_uuid = r.run_uuid AND o0.key = ${key}`;
      const table = first.kind === 'attribute' ? undefined : ORDER_TABLES[first.kind];
      const expr = column ? column.expr : 'o0.value';
      // latest_metrics has (experiment_id, key, value), so one experiment walks that index. The
      // experiment is tested on o0 only: testing it on runs as well would make the planner count
      // the same condition twice and expect far fewer matches than there are.
      const experimentColumn =
        metric && section === 'value' ? 'o0.experiment_id' : 'r.experiment_id';
      const where = [experimentCondition(experimentColumn, input.experimentIds, params)];
      const lifecycle = lifecycleCondition('r.lifecycle_stage', input.viewType);
      if (lifecycle) where.push(lifecycle);
      for (const condition of conditions) where.push(conditionSql(condition, params));
      const { joins, items } = orderSql(rest, params, keys);
      let columns = 'r.run_uuid';
      if (section === 'value') {
        columns += `, ${expr} AS order_value`;
        if (table) joins.unshift(`JOIN ${table} o0 ON ${owns}`);
        if (column?.nullable) where.push(`${expr} IS NOT NULL`);
        // Postgres sorts NaN above every number; NaN runs have their own section.
        if (metric) where.push(`${expr} < 'NaN'::float8`);
        if (position.after !== undefined) {
          if (!fitsCast(position.after, cast)) {
            throw new SearchSyntaxError('Invalid page token: it does not belong to this search.');
          }
          const bound = params.add(position.after, cast);
          where.push(`${expr} ${first.ascending ? '>=' : '<='} ${bound}`);
        }
        items.unshift(`${expr} ${first.ascending ? 'ASC' : 'DESC'}`);
      } else if (section === 'nan') {
        where.push(`EXISTS (SELECT 1 FROM ${table} o0 WHERE ${owns} AND o0.value = 'NaN'::float8)`);
      } else {
        where.push(
          table ? `NOT EXISTS (SELECT 1 FROM ${table} o0 WHERE ${owns})` : `${expr} IS NULL`,
        );
      }
      const paging = pagingClause(position.skip, limit, params);
      const text = [
        `SELECT ${columns}`,
        'FROM runs r',
        ...joins,
        whereClause(where),
        `ORDER BY ${items.join(', ')}`,
        paging,
      ].join('\n');
      return { text, values: params.values };
    },
  };
}

/** Run attributes → SQL columns. The only place a run field becomes SQL text. */
const RUN_COLUMNS: Readonly<
  Record<RunField, { expr: string; nullable: boolean; integer?: boolean }>
> = {
  run_id: { expr: 'r.run_uuid', nullable: false },
  // runs.name is kept equal to the tag mlflow.runName by the runs store, and reading the column
  // avoids a tag lookup per run.
  run_name: { expr: 'r.name', nullable: false },
  status: { expr: 'r.status', nullable: false },
  artifact_uri: { expr: 'r.artifact_uri', nullable: false },
  user_id: { expr: 'r.user_id', nullable: false },
  start_time: { expr: 'r.start_time', nullable: false, integer: true },
  end_time: { expr: 'r.end_time', nullable: true, integer: true },
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
 * ORDER BY items for `keys` (the order keys after the first), then MLflow's tie-breaks:
 * `start_time DESC` unless start_time is among `allKeys`, then `run_uuid ASC` unless run_id is.
 */
function orderSql(
  keys: RunOrderKey[],
  params: SqlParams,
  allKeys: RunOrderKey[],
): { joins: string[]; items: string[] } {
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
  const orders = (field: RunField) =>
    allKeys.some((k) => k.kind === 'attribute' && k.field === field);
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
