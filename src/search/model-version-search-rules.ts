import { Clause, NumberValue, STRING_COMPARATORS } from './filter-ast';
import { parseFilter, quoteList } from './filter-parser';
import {
  LIST_ONLY_FOR_RUN_ID,
  comparatorError,
  describe,
  expectComparator,
  expectQuotedString,
  expectStringList,
  invalidKeyError,
  lookup,
  numericComparator,
  parseOrderByList,
} from './rule-helpers';
import { dropUppercase } from './run-search-rules';
import {
  KeyValueCondition,
  ListFieldCondition,
  NumericFieldCondition,
  OrderKey,
  StringFieldCondition,
} from './search-conditions';
import { SearchSyntaxError } from './search-error';

/**
 * What model-versions/search accepts (S152–S167, E140–E145): `name`, `source_path`, `run_id`
 * (strings; run_id also `IN`, but not `NOT IN`: E142), `version_number` (numeric) and tags.
 */

export type ModelVersionStringField = 'name' | 'source_path' | 'run_id';
export type ModelVersionOrderField =
  'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';

export type ModelVersionCondition =
  | StringFieldCondition<ModelVersionStringField>
  | ListFieldCondition<'run_id'>
  | NumericFieldCondition<'version_number'>
  | KeyValueCondition<'tag'>;

const FILTER_ATTRIBUTES: Readonly<Record<string, ModelVersionStringField | 'version_number'>> = {
  name: 'name',
  source_path: 'source_path',
  run_id: 'run_id',
  version_number: 'version_number',
};

const ORDER_FIELDS: Readonly<Record<string, ModelVersionOrderField>> = {
  name: 'name',
  version_number: 'version_number',
  creation_timestamp: 'creation_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
};

export function parseModelVersionFilter(
  filter: string | null | undefined,
): ModelVersionCondition[] {
  return parseFilter(filter).map(toCondition);
}

function toCondition(clause: Clause): ModelVersionCondition {
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
      `Invalid identifier '${clause.identifier.source}': model versions can be searched by ` +
        `${Object.keys(FILTER_ATTRIBUTES).join(', ')} and tags only.`,
    );
  }
  const field = lookup(FILTER_ATTRIBUTES, key);
  if (field === undefined) throw invalidKeyError('attribute', key, Object.keys(FILTER_ATTRIBUTES));
  if (clause.value.kind === 'none') throw comparatorError(clause, STRING_COMPARATORS, key);
  if (field === 'version_number') {
    return {
      kind: 'numeric-field',
      field,
      op: numericComparator(clause, key),
      value: versionNumber(clause),
    };
  }
  if (clause.value.kind === 'list') {
    if (field !== 'run_id') throw new SearchSyntaxError(LIST_ONLY_FOR_RUN_ID);
    const values = dropUppercase(expectStringList(clause, 'run_id'));
    return { kind: 'list-field', field, op: expectComparator(clause, ['IN'], key), values };
  }
  const value = expectQuotedString(clause, 'attributes');
  return {
    kind: 'string-field',
    field,
    op: expectComparator(clause, STRING_COMPARATORS, `attribute '${key}'`),
    value,
  };
}

/**
 * MLflow hands `version_number = '3'` to the database, which reads the quoted text as an integer;
 * a quoted integer is therefore accepted too. Anything else is refused here (MLflow answers
 * `version_number = 'abc'` with a database error, E141).
 */
function versionNumber(clause: Clause): NumberValue {
  const { value } = clause;
  if (value.kind === 'number') return value;
  if (value.kind === 'string' && /^\s*[-+]?\d+\s*$/.test(value.value)) {
    const literal = value.value.trim();
    return { kind: 'number', literal, value: Number(literal), source: value.source };
  }
  throw new SearchSyntaxError(
    `Expected an integer value for version_number. Found ${describe(value)}`,
  );
}

export function parseModelVersionOrderBy(
  orderBy: readonly string[] | null | undefined,
): OrderKey<ModelVersionOrderField>[] {
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
