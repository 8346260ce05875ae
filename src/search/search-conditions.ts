import {
  ListComparator,
  NullComparator,
  NumberValue,
  NumericComparator,
  StringComparator,
} from './filter-ast';

/**
 * Validated filter conditions: what the per-search rules turn a parsed clause into. Each shape
 * names a logical field from a fixed list (never user text), so the SQL builders can map it to a
 * column through a whitelist; keys and values stay data and always become bind parameters.
 */

/** `metrics.<key> <op> <number>` against the run's latest value. */
export interface MetricCondition {
  kind: 'metric';
  key: string;
  op: NumericComparator;
  value: NumberValue;
}

/** `params.<key>` / `tags.<key>` compared with a string. */
export interface KeyValueCondition<E extends string> {
  kind: 'key-value';
  entity: E;
  key: string;
  op: StringComparator;
  value: string;
}

/** `tags.<key> IS [NOT] NULL`: whether the key exists at all. */
export interface KeyPresenceCondition<E extends string> {
  kind: 'key-presence';
  entity: E;
  key: string;
  op: NullComparator;
}

/** A string attribute (`status`, `name`, ...) compared with a string. */
export interface StringFieldCondition<F extends string> {
  kind: 'string-field';
  field: F;
  op: StringComparator;
  value: string;
}

/** A numeric attribute (`start_time`, `version_number`, ...) compared with a number. */
export interface NumericFieldCondition<F extends string> {
  kind: 'numeric-field';
  field: F;
  op: NumericComparator;
  value: NumberValue;
}

/** A string attribute tested against a list (`run_id IN (...)`, `datasets.name NOT IN (...)`). */
export interface ListFieldCondition<F extends string> {
  kind: 'list-field';
  field: F;
  op: ListComparator;
  values: string[];
}

export interface OrderKey<F extends string> {
  field: F;
  ascending: boolean;
}
