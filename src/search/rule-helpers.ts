import {
  Clause,
  Comparator,
  FilterValue,
  LIST_COMPARATORS,
  ListComparator,
  NUMERIC_COMPARATORS,
  NumberValue,
  NumericComparator,
  OrderByTerm,
  STRING_COMPARATORS,
  StringComparator,
  StringValue,
  isOneOf,
} from './filter-ast';
import { parseOrderByTerm, quoteList } from './filter-parser';
import { SearchSyntaxError } from './search-error';

/**
 * Checks shared by the per-search rule files. The order of checks mirrors MLflow's, because it
 * decides which error a user sees for a clause that is wrong twice (for example
 * `tags.x IN ('a')` reports the value type, not the comparator: case E92).
 */

export function comparatorError(
  clause: Clause,
  allowed: readonly Comparator[],
  subject: string,
): SearchSyntaxError {
  return new SearchSyntaxError(
    `Invalid comparator '${clause.comparator}' for ${subject} in '${clause.source}'. ` +
      `Valid comparators are ${quoteList(allowed)}.`,
  );
}

export function expectComparator<C extends Comparator>(
  clause: Clause,
  allowed: readonly C[],
  subject: string,
): C {
  if (isOneOf(clause.comparator, allowed)) return clause.comparator;
  throw comparatorError(clause, allowed, subject);
}

/** `params.x = 1` → "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1" */
export function expectQuotedString(clause: Clause, entityLabel: string): string {
  if (clause.value.kind === 'string') return clause.value.value;
  throw new SearchSyntaxError(
    `Expected a quoted string value for ${entityLabel} (e.g. 'my-value'). ` +
      `Got value ${describe(clause.value)}`,
  );
}

/** `metrics.loss > 'abc'` → "Expected numeric value type for metric. Found 'abc'" */
export function expectMetricNumber(clause: Clause): NumberValue {
  if (clause.value.kind === 'number') return clause.value;
  throw new SearchSyntaxError(
    `Expected numeric value type for metric. Found ${describe(clause.value)}`,
  );
}

/** `start_time = 'yesterday'` → "Expected numeric value type for numeric attribute: ..." */
export function expectAttributeNumber(clause: Clause, key: string): NumberValue {
  if (clause.value.kind === 'number') return clause.value;
  throw new SearchSyntaxError(
    `Expected numeric value type for numeric attribute: ${key}. Found ${describe(clause.value)}`,
  );
}

export const LIST_ONLY_FOR_RUN_ID =
  "Only the 'run_id' attribute supports comparison with a list of quoted string values.";

/** The string items of a list value; numbers in a string list are refused. */
export function expectStringList(clause: Clause, subject: string): string[] {
  const items = clause.value.kind === 'list' ? clause.value.items : [];
  const strings = items.filter((item): item is StringValue => item.kind === 'string');
  if (clause.value.kind === 'list' && strings.length === items.length) {
    return strings.map((item) => item.value);
  }
  throw new SearchSyntaxError(
    `Expected a list of quoted string values for ${subject}, as in ('a', 'b'). ` +
      `Got value ${describe(clause.value)}`,
  );
}

/**
 * A string field compared with either one string (= != LIKE ILIKE) or a list (IN / NOT IN).
 * Returns a discriminated result so callers can build the right condition.
 */
export function stringOrListComparison(
  clause: Clause,
  subject: string,
  listComparators: readonly ListComparator[] = LIST_COMPARATORS,
):
  | { kind: 'string'; op: StringComparator; value: string }
  | { kind: 'list'; op: ListComparator; values: string[] } {
  if (clause.value.kind === 'list') {
    const values = expectStringList(clause, subject);
    return { kind: 'list', op: expectComparator(clause, listComparators, subject), values };
  }
  const value = expectQuotedString(clause, subject);
  return { kind: 'string', op: expectComparator(clause, STRING_COMPARATORS, subject), value };
}

export function numericComparator(clause: Clause, subject: string): NumericComparator {
  return expectComparator(clause, NUMERIC_COMPARATORS, subject);
}

export function describe(value: FilterValue): string {
  return value.kind === 'none' ? 'NULL' : value.source;
}

export function invalidKeyError(
  kind: string,
  key: string,
  valid: readonly string[],
): SearchSyntaxError {
  return new SearchSyntaxError(
    `Invalid ${kind} key '${key}' specified. Valid keys are ${quoteList(valid)}`,
  );
}

/** Looks a key up in a fixed alias table without falling into Object.prototype. */
export function lookup<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * Parses every order_by entry and rejects a field given twice (`metrics.loss`, then
 * `metric.loss DESC`). `fieldOf` validates one term and returns a stable identity for the
 * duplicate check plus the validated key.
 */
export function parseOrderByList<K>(
  orderBy: readonly string[] | null | undefined,
  validate: (term: OrderByTerm) => { identity: string; key: K },
): K[] {
  const seen = new Set<string>();
  const keys: K[] = [];
  for (const raw of orderBy ?? []) {
    const { identity, key } = validate(parseOrderByTerm(raw));
    if (seen.has(identity)) {
      throw new SearchSyntaxError(
        `\`order_by\` contains duplicate fields: '${identity}' is given more than once ` +
          `(again in '${raw}').`,
      );
    }
    seen.add(identity);
    keys.push(key);
  }
  return keys;
}
