import { ListComparator, NumberValue, NumericComparator, StringComparator } from './filter-ast';
import { SearchSyntaxError } from './search-error';

/**
 * Small helpers for writing parameterised Postgres SQL. User-supplied keys and values only ever
 * go through `SqlParams.add` (they become `$n` placeholders); the SQL text itself is assembled
 * from fixed fragments and from column expressions taken from the builders' whitelists.
 */

/** A query ready for `pg` (`client.query(text, values)`) or Prisma's `$queryRawUnsafe`. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

export type SearchViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** Casts the builders may attach to a placeholder; a closed list, never user text. */
export type SqlCast = 'text' | 'int' | 'float8' | 'bigint' | 'numeric' | 'int[]' | 'text[]';

export class SqlParams {
  readonly values: unknown[] = [];

  /** Appends a bind value and returns its placeholder, e.g. `$3` or `$3::float8`. */
  add(value: unknown, cast?: SqlCast): string {
    this.values.push(value);
    const placeholder = `$${this.values.length}`;
    return cast ? `${placeholder}::${cast}` : placeholder;
  }
}

const STRING_OPERATORS: Readonly<Record<StringComparator, string>> = {
  '=': '=',
  '!=': '<>',
  // Postgres LIKE is case-sensitive and ILIKE is not, which is exactly MLflow's contract; `_` is
  // the one-character wildcard and `\` the escape character in both.
  LIKE: 'LIKE',
  ILIKE: 'ILIKE',
};

const NUMERIC_OPERATORS: Readonly<Record<NumericComparator, string>> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

export function compareString(
  expr: string,
  op: StringComparator,
  value: string,
  params: SqlParams,
): string {
  return `${expr} ${STRING_OPERATORS[op]} ${params.add(value)}`;
}

/**
 * `expr <op> number` for an integer column (bigint/int). The literal travels as text and is cast
 * in SQL, so `1700000000000` or `1e3` never pass through a JS double; integer literals are cast to
 * bigint (keeping btree indexes usable), anything else to numeric.
 */
export function compareInteger(
  expr: string,
  op: NumericComparator,
  value: NumberValue,
  params: SqlParams,
): string {
  const cast = fitsInt64(value.literal) ? 'bigint' : 'numeric';
  return `${expr} ${NUMERIC_OPERATORS[op]} ${params.add(normalizeLiteral(value.literal), cast)}`;
}

/**
 * `expr <op> number` for a float8 column. NaN is stored as float8 NaN, which Postgres sorts above
 * every number; IEEE semantics (NaN compares false, except with !=) are restored by excluding it
 * from `>` and `>=` (`=`, `<`, `<=` are already false for NaN in Postgres).
 */
export function compareFloat(
  expr: string,
  op: NumericComparator,
  value: NumberValue,
  params: SqlParams,
): string {
  // The parsed double, as MLflow compares (Python's float): a literal that underflows, such as
  // 1e-400, is 0 rather than an out-of-range error from Postgres.
  const comparison = `${expr} ${NUMERIC_OPERATORS[op]} ${params.add(String(value.value), 'float8')}`;
  return op === '>' || op === '>=' ? `${comparison} AND ${expr} <> 'NaN'::float8` : comparison;
}

/** `expr IN (...)` / `expr NOT IN (...)` as one array parameter, so list length never changes the SQL. */
export function compareList(
  expr: string,
  op: ListComparator,
  values: string[],
  params: SqlParams,
): string {
  const array = params.add(values, 'text[]');
  return op === 'IN' ? `${expr} = ANY(${array})` : `${expr} <> ALL(${array})`;
}

/**
 * ORDER BY items for one key. `nullable` keys get a leading `(expr IS NULL)` item so rows without
 * a value sort last in both directions (MLflow's rule, S071–S072 and S078–S079). For metrics,
 * pass `nanLast` to put NaN after the numbers but before missing values, as MLflow does.
 */
export function orderItems(
  expr: string,
  ascending: boolean,
  options: { nullable?: boolean; nanLast?: boolean } = {},
): string[] {
  const direction = ascending ? 'ASC' : 'DESC';
  const items: string[] = [];
  if (options.nanLast) {
    items.push(`(CASE WHEN ${expr} IS NULL THEN 2 WHEN ${expr} = 'NaN'::float8 THEN 1 ELSE 0 END)`);
  } else if (options.nullable) {
    items.push(`(${expr} IS NULL)`);
  }
  items.push(`${expr} ${direction}`);
  return items;
}

export function lifecycleCondition(expr: string, viewType: SearchViewType): string | undefined {
  switch (viewType) {
    case 'ACTIVE_ONLY':
      return `${expr} = 'active'`;
    case 'DELETED_ONLY':
      return `${expr} = 'deleted'`;
    case 'ALL':
      return undefined;
  }
}

/** `LIMIT $n OFFSET $m`, refusing values Postgres would reject with a database error (E117). */
export function pagingClause(offset: number, limit: number, params: SqlParams): string {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new SearchSyntaxError(
      `Invalid value ${limit} for parameter 'max_results' supplied: it must be a non-negative integer.`,
    );
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new SearchSyntaxError(
      `Invalid page token: offset ${offset} is not a non-negative integer.`,
    );
  }
  return `LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`;
}

export function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join('\n  AND ')}`;
}

const INT64_MAX = 9223372036854775807n;

function fitsInt64(literal: string): boolean {
  const text = literal.startsWith('+') ? literal.slice(1) : literal;
  if (!/^-?\d+$/.test(text)) return false;
  const value = BigInt(text);
  return value <= INT64_MAX && value >= -INT64_MAX - 1n;
}

/** Postgres' numeric input does not take a leading '+'. */
function normalizeLiteral(literal: string): string {
  return literal.startsWith('+') ? literal.slice(1) : literal;
}

/**
 * Which resources a caller may see: all, all but some ids, or only some ids. Searches add it as
 * one more condition, so pages are filled with visible rows only and nothing leaks.
 */
export type IdScope =
  | { kind: 'all' }
  | { kind: 'except'; ids: readonly string[] }
  | { kind: 'only'; ids: readonly string[] };

export function scopeCondition(
  expr: string,
  scope: IdScope | undefined,
  params: SqlParams,
): string | undefined {
  if (!scope || scope.kind === 'all') return undefined;
  const ids = params.add([...scope.ids], 'text[]');
  return scope.kind === 'only'
    ? `${expr}::text = ANY(${ids})`
    : `NOT (${expr}::text = ANY(${ids}))`;
}
