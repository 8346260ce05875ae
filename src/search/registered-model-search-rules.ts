import { Clause, STRING_COMPARATORS } from './filter-ast';
import { parseFilter, quoteList } from './filter-parser';
import {
  LIST_ONLY_FOR_RUN_ID,
  comparatorError,
  describe,
  expectComparator,
  expectQuotedString,
  invalidKeyError,
  lookup,
  parseOrderByList,
} from './rule-helpers';
import { KeyValueCondition, OrderKey, StringFieldCondition } from './search-conditions';
import { SearchSyntaxError } from './search-error';

/**
 * What registered-models/search accepts (S138–S151, E132–E139): `name` and tags, compared with
 * = != LIKE ILIKE. order_by takes `name`, `last_updated_timestamp` and its alias `timestamp`;
 * `creation_timestamp` is refused (S148).
 */

export type RegisteredModelOrderField = 'name' | 'last_updated_timestamp';

export type RegisteredModelCondition = StringFieldCondition<'name'> | KeyValueCondition<'tag'>;

const ORDER_FIELDS: Readonly<Record<string, RegisteredModelOrderField>> = {
  name: 'name',
  timestamp: 'last_updated_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
};

export function parseRegisteredModelFilter(
  filter: string | null | undefined,
): RegisteredModelCondition[] {
  return parseFilter(filter).map(toCondition);
}

function toCondition(clause: Clause): RegisteredModelCondition {
  const { entity, key } = clause.identifier;
  if (entity === 'tag') {
    if (clause.value.kind === 'none') throw comparatorError(clause, STRING_COMPARATORS, 'tags');
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
      `Invalid identifier '${clause.identifier.source}': registered models can be searched by ` +
        `name and tags only.`,
    );
  }
  if (key !== 'name') throw invalidKeyError('attribute', key, ['name']);
  if (clause.value.kind === 'none') throw comparatorError(clause, STRING_COMPARATORS, key);
  if (clause.value.kind === 'list') throw new SearchSyntaxError(LIST_ONLY_FOR_RUN_ID);
  if (clause.value.kind !== 'string') {
    throw new SearchSyntaxError(
      'Expected a quoted string value or a list of quoted string values for attributes. ' +
        `Got value ${describe(clause.value)}`,
    );
  }
  return {
    kind: 'string-field',
    field: 'name',
    op: expectComparator(clause, STRING_COMPARATORS, 'attribute name'),
    value: clause.value.value,
  };
}

export function parseRegisteredModelOrderBy(
  orderBy: readonly string[] | null | undefined,
): OrderKey<RegisteredModelOrderField>[] {
  return parseOrderByList(orderBy, (term) => {
    const { entity, key } = term.identifier;
    const field = entity === 'attribute' ? lookup(ORDER_FIELDS, key) : undefined;
    if (field === undefined) {
      throw new SearchSyntaxError(
        `Invalid order by key '${term.identifier.source}' specified. Valid keys are ` +
          `${quoteList(Object.keys(ORDER_FIELDS))}`,
      );
    }
    return { identity: field, key: { field, ascending: term.ascending } };
  });
}
