import { NumberValue } from './filter-ast';
import {
  compareFloat,
  compareInteger,
  compareList,
  compareString,
  lifecycleCondition,
  orderItems,
  pagingClause,
  SqlParams,
  whereClause,
} from './sql-builder';

const number = (literal: string): NumberValue => ({
  kind: 'number',
  literal,
  value: Number(literal),
  source: literal,
});

describe('SqlParams', () => {
  it('numbers placeholders in order and attaches casts', () => {
    const params = new SqlParams();
    expect(params.add('a')).toBe('$1');
    expect(params.add(2, 'int')).toBe('$2::int');
    expect(params.values).toEqual(['a', 2]);
  });
});

describe('comparisons', () => {
  it('maps != to <> and keeps LIKE / ILIKE', () => {
    const params = new SqlParams();
    expect(compareString('c', '!=', 'x', params)).toBe('c <> $1');
    expect(compareString('c', 'ILIKE', 'x', params)).toBe('c ILIKE $2');
  });

  it.each([
    ['1700000000000', 'bigint', '1700000000000'],
    ['+3', 'bigint', '3'],
    ['-9223372036854775808', 'bigint', '-9223372036854775808'],
    ['9223372036854775808', 'numeric', '9223372036854775808'],
    ['1.5', 'numeric', '1.5'],
    ['1e3', 'numeric', '1e3'],
  ])('casts the integer-column literal %s to %s', (literal, cast, sent) => {
    const params = new SqlParams();
    expect(compareInteger('c', '>=', number(literal), params)).toBe(`c >= $1::${cast}`);
    expect(params.values).toEqual([sent]);
  });

  it('excludes NaN from > and >= on float columns only', () => {
    const params = new SqlParams();
    expect(compareFloat('v', '>', number('1'), params)).toBe(
      "v > $1::float8 AND v <> 'NaN'::float8",
    );
    expect(compareFloat('v', '<=', number('1'), params)).toBe('v <= $2::float8');
    expect(compareFloat('v', '!=', number('1'), params)).toBe('v <> $3::float8');
  });

  it('passes lists as one text[] parameter', () => {
    const params = new SqlParams();
    expect(compareList('c', 'IN', ['a'], params)).toBe('c = ANY($1::text[])');
    expect(compareList('c', 'NOT IN', [], params)).toBe('c <> ALL($2::text[])');
    expect(params.values).toEqual([['a'], []]);
  });
});

describe('orderItems', () => {
  it('adds a null flag or the NaN/null rank before the value', () => {
    expect(orderItems('x', true)).toEqual(['x ASC']);
    expect(orderItems('x', false, { nullable: true })).toEqual(['(x IS NULL)', 'x DESC']);
    expect(orderItems('x', true, { nanLast: true })).toEqual([
      "(CASE WHEN x IS NULL THEN 2 WHEN x = 'NaN'::float8 THEN 1 ELSE 0 END)",
      'x ASC',
    ]);
  });
});

describe('small clauses', () => {
  it('maps view types to lifecycle conditions', () => {
    expect(lifecycleCondition('s', 'ACTIVE_ONLY')).toBe("s = 'active'");
    expect(lifecycleCondition('s', 'DELETED_ONLY')).toBe("s = 'deleted'");
    expect(lifecycleCondition('s', 'ALL')).toBeUndefined();
  });

  it('joins WHERE conditions and omits an empty WHERE', () => {
    expect(whereClause([])).toBe('');
    expect(whereClause(['a', 'b'])).toBe('WHERE a\n  AND b');
  });

  it('parameterises paging and refuses negative or fractional values', () => {
    const params = new SqlParams();
    expect(pagingClause(20, 10, params)).toBe('LIMIT $1 OFFSET $2');
    expect(params.values).toEqual([10, 20]);
    expect(() => pagingClause(0, -1, new SqlParams())).toThrow(/max_results/);
    expect(() => pagingClause(0.5, 1, new SqlParams())).toThrow(/page token/);
  });
});
