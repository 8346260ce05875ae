import { Clause, NUMERIC_COMPARATORS, STRING_COMPARATORS } from './filter-ast';
import { parseFilter } from './filter-parser';
import {
  LIST_ONLY_FOR_RUN_ID,
  comparatorError,
  expectAttributeNumber,
  expectComparator,
  expectQuotedString,
  invalidKeyError,
  lookup,
  numericComparator,
  parseOrderByList,
} from './rule-helpers';
import {
  KeyPresenceCondition,
  KeyValueCondition,
  NumericFieldCondition,
  OrderKey,
  StringFieldCondition,
} from './search-conditions';
import { SearchSyntaxError } from './search-error';

/**
 * What experiments/search accepts (S114–S137, E123–E131): the attributes `name`,
 * `creation_time`, `last_update_time` and experiment tags; `tags.<k> IS [NOT] NULL` comes from
 * MLflow 3.x. There is no IN on experiments.
 */

export type ExperimentNumericField = 'creation_time' | 'last_update_time';
export type ExperimentOrderField = 'name' | 'experiment_id' | ExperimentNumericField;

export type ExperimentCondition =
  | StringFieldCondition<'name'>
  | NumericFieldCondition<ExperimentNumericField>
  | KeyValueCondition<'tag'>
  | KeyPresenceCondition<'tag'>;

const FILTER_ATTRIBUTES: Readonly<Record<string, 'name' | ExperimentNumericField>> = {
  name: 'name',
  creation_time: 'creation_time',
  last_update_time: 'last_update_time',
};

const ORDER_ATTRIBUTES: Readonly<Record<string, ExperimentOrderField>> = {
  name: 'name',
  experiment_id: 'experiment_id',
  creation_time: 'creation_time',
  last_update_time: 'last_update_time',
};

export function parseExperimentFilter(filter: string | null | undefined): ExperimentCondition[] {
  return parseFilter(filter).map(toExperimentCondition);
}

function toExperimentCondition(clause: Clause): ExperimentCondition {
  const { entity, key } = clause.identifier;
  if (entity === 'tag') {
    if (clause.comparator === 'IS NULL' || clause.comparator === 'IS NOT NULL') {
      return { kind: 'key-presence', entity: 'tag', key, op: clause.comparator };
    }
    const value = expectQuotedString(clause, 'tag');
    return {
      kind: 'key-value',
      entity: 'tag',
      key,
      op: expectComparator(clause, STRING_COMPARATORS, 'tags'),
      value,
    };
  }
  if (entity !== 'attribute') {
    throw new SearchSyntaxError(
      `Invalid identifier '${clause.identifier.source}': experiments can be searched by ` +
        `attributes (name, creation_time, last_update_time) and tags only.`,
    );
  }
  const field = lookup(FILTER_ATTRIBUTES, key);
  if (field === undefined) throw invalidKeyError('attribute', key, Object.keys(FILTER_ATTRIBUTES));
  if (field === 'name') {
    if (clause.value.kind === 'none') throw comparatorError(clause, STRING_COMPARATORS, key);
    if (clause.value.kind === 'list') throw new SearchSyntaxError(LIST_ONLY_FOR_RUN_ID);
    const value = expectQuotedString(clause, 'attributes');
    return {
      kind: 'string-field',
      field,
      op: expectComparator(clause, STRING_COMPARATORS, 'attribute name'),
      value,
    };
  }
  if (clause.value.kind === 'none') throw comparatorError(clause, NUMERIC_COMPARATORS, key);
  const value = expectAttributeNumber(clause, key);
  return { kind: 'numeric-field', field, op: numericComparator(clause, key), value };
}

export function parseExperimentOrderBy(
  orderBy: readonly string[] | null | undefined,
): OrderKey<ExperimentOrderField>[] {
  return parseOrderByList(orderBy, (term) => {
    const { entity, key } = term.identifier;
    if (entity !== 'attribute') {
      throw new SearchSyntaxError(
        `Invalid order_by clause '${term.source}': experiments can be ordered by ` +
          `${Object.keys(ORDER_ATTRIBUTES).join(', ')} only.`,
      );
    }
    const field = lookup(ORDER_ATTRIBUTES, key);
    if (field === undefined) throw invalidKeyError('attribute', key, Object.keys(ORDER_ATTRIBUTES));
    return { identity: field, key: { field, ascending: term.ascending } };
  });
}
