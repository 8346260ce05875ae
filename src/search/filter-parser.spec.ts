import { parseFilter, parseOrderByTerm } from './filter-parser';
import { SearchSyntaxError } from './search-error';

const one = (filter: string) => {
  const clauses = parseFilter(filter);
  expect(clauses).toHaveLength(1);
  return clauses[0];
};

describe('parseFilter', () => {
  it('returns no clauses for an empty or blank filter', () => {
    expect(parseFilter('')).toEqual([]);
    expect(parseFilter('   ')).toEqual([]);
    expect(parseFilter(undefined)).toEqual([]);
    expect(parseFilter(null)).toEqual([]);
  });

  describe('entity prefixes', () => {
    it.each([
      ['metric', 'metric'],
      ['metrics', 'metric'],
      ['param', 'param'],
      ['params', 'param'],
      ['parameter', 'param'],
      ['parameters', 'param'],
      ['tag', 'tag'],
      ['tags', 'tag'],
      ['attribute', 'attribute'],
      ['attributes', 'attribute'],
      ['attr', 'attribute'],
      ['run', 'attribute'],
      ['dataset', 'dataset'],
      ['datasets', 'dataset'],
    ])('%s. means %s', (prefix, entity) => {
      expect(one(`${prefix}.k = 'v'`).identifier).toMatchObject({
        entity,
        key: 'k',
        hasPrefix: true,
      });
    });

    it('accepts a back-quoted prefix', () => {
      expect(one("`tags`.team = 'x'").identifier).toMatchObject({ entity: 'tag', key: 'team' });
    });

    it('defaults to an attribute without a prefix', () => {
      expect(one("status != 'FINISHED'").identifier).toEqual({
        entity: 'attribute',
        key: 'status',
        hasPrefix: false,
        source: 'status',
      });
    });

    it('is case-sensitive about prefixes, like MLflow', () => {
      expect(() => parseFilter('METRICS.loss < 1')).toThrow(/Invalid entity type 'METRICS'/);
    });

    it('rejects an unknown prefix and does not fall into Object.prototype', () => {
      expect(() => parseFilter("foo.bar = 'x'")).toThrow(/Invalid entity type 'foo'/);
      expect(() => parseFilter("constructor.x = 'x'")).toThrow(/Invalid entity type/);
      expect(() => parseFilter("__proto__.x = 'x'")).toThrow(/Invalid entity type/);
    });
  });

  describe('keys', () => {
    it.each([
      ["tags.`model type` = 'cnn'", 'model type'],
      ["tags.`dotted.key` = 'v1'", 'dotted.key'],
      [`tags."dotted.key" = 'v2'`, 'dotted.key'],
      ["tags.mlflow.runName LIKE 'run-0%'", 'mlflow.runName'],
      ["tags.`mlflow.runName` = 'run-07'", 'mlflow.runName'],
      ['metrics.`loss` <= 0.2', 'loss'],
      ["params.`lr-é中` = '1'", 'lr-é中'],
      ['metrics.2019 > 1', '2019'],
      ["attributes.`Run name` = 'run-09'", 'Run name'],
    ])('%s has key %j', (filter, key) => {
      expect(one(filter).identifier.key).toBe(key);
    });

    it('reads a back-quoted key without prefix as an attribute', () => {
      expect(one("`Run name` = 'x'").identifier).toMatchObject({
        entity: 'attribute',
        key: 'Run name',
      });
    });

    it('requires the key to touch its dot', () => {
      expect(() => parseFilter('metrics. loss < 1')).toThrow(/expected a key right after '\.'/);
      expect(() => parseFilter('metrics. < 1')).toThrow(SearchSyntaxError);
    });
  });

  describe('comparators', () => {
    it.each(['=', '!=', '<', '<=', '>', '>='])('reads %s', (op) => {
      expect(one(`metrics.loss ${op} 1`).comparator).toBe(op);
    });

    it.each([
      ['LIKE', 'LIKE'],
      ['like', 'LIKE'],
      ['ILIKE', 'ILIKE'],
      ['iLike', 'ILIKE'],
    ])('reads %s as %s', (written, op) => {
      expect(one(`params.x ${written} 'a%'`).comparator).toBe(op);
    });

    it('reads IN and NOT IN with a list', () => {
      expect(one("run_id IN ('a', 'b')")).toMatchObject({ comparator: 'IN' });
      expect(one("run_id not in ('a')")).toMatchObject({ comparator: 'NOT IN' });
    });

    it('reads IS NULL and IS NOT NULL without a value', () => {
      expect(one('tags.x IS NULL')).toMatchObject({
        comparator: 'IS NULL',
        value: { kind: 'none' },
      });
      expect(one('tags.x is not null')).toMatchObject({ comparator: 'IS NOT NULL' });
    });

    it('rejects unknown operators and keywords', () => {
      expect(() => parseFilter('metrics.loss <<< 1')).toThrow(/Invalid comparator '<<<'/);
      expect(() => parseFilter('metrics.loss <> 1')).toThrow(/Invalid comparator '<>'/);
      expect(() => parseFilter('metrics.loss == 1')).toThrow(/Invalid comparator '=='/);
      expect(() => parseFilter("params.x NOT LIKE 'a'")).toThrow(/Invalid comparator 'NOT LIKE'/);
      expect(() => parseFilter('tags.x IS 1')).toThrow(/expected NULL/);
      expect(() => parseFilter("params.x CONTAINS 'a'")).toThrow(/expected a comparator/);
    });

    it('rejects a clause without comparator (E98)', () => {
      expect(() => parseFilter('metrics.loss')).toThrow(
        /Invalid clause\(s\) in filter string: 'metrics.loss'/,
      );
    });
  });

  describe('values', () => {
    it('reads single- and double-quoted strings', () => {
      expect(one("params.lr = '0.1'").value).toEqual({
        kind: 'string',
        value: '0.1',
        source: "'0.1'",
      });
      expect(one('params.lr = "0.1"').value).toEqual({
        kind: 'string',
        value: '0.1',
        source: '"0.1"',
      });
    });

    it.each([
      ['0', 0],
      ['0.26', 0.26],
      ['-1', -1],
      ['1e-1', 0.1],
      ['1700000600000', 1700000600000],
    ])('reads the number %s and keeps its literal', (literal, value) => {
      expect(one(`metrics.loss > ${literal}`).value).toEqual({
        kind: 'number',
        literal,
        value,
        source: literal,
      });
    });

    it('reads a parenthesised list of strings or numbers', () => {
      const clause = one(`run_id IN ('a', "b",'c')`);
      expect(clause.value).toMatchObject({
        kind: 'list',
        source: `('a', "b",'c')`,
        items: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
      });
      expect(one('metrics.loss IN (1, 2)').value).toMatchObject({
        kind: 'list',
        items: [
          { kind: 'number', value: 1 },
          { kind: 'number', value: 2 },
        ],
      });
    });

    it('rejects empty, unterminated or malformed lists', () => {
      expect(() => parseFilter('run_id IN ()')).toThrow(/non-empty list/);
      expect(() => parseFilter("run_id IN ('a',)")).toThrow(/value after the comma/);
      expect(() => parseFilter("run_id IN ('a' 'b')")).toThrow(/expected ',' or '\)'/);
      expect(() => parseFilter("run_id IN ('a'")).toThrow(SearchSyntaxError);
    });

    it('rejects bare words and missing values', () => {
      expect(() => parseFilter('status = FINISHED')).toThrow(/expected a quoted string/);
      expect(() => parseFilter('metrics.loss <')).toThrow(/expected a quoted string/);
    });

    it('rejects numbers out of double range', () => {
      expect(() => parseFilter('metrics.loss < 1e999')).toThrow(/out of range/);
    });
  });

  describe('AND chains', () => {
    it('joins clauses with AND in any case', () => {
      const clauses = parseFilter(
        "params.lr = '0.1' and metrics.loss < 0.6 AND tags.team = 'vision' And status = 'x'",
      );
      expect(clauses.map((c) => c.identifier.key)).toEqual(['lr', 'loss', 'team', 'status']);
      expect(clauses.map((c) => c.source)).toEqual([
        "params.lr = '0.1'",
        'metrics.loss < 0.6',
        "tags.team = 'vision'",
        "status = 'x'",
      ]);
    });

    it('accepts a trailing AND (E99)', () => {
      expect(parseFilter('metrics.loss = 1 and')).toHaveLength(1);
      expect(parseFilter('metrics.loss = 1 AND  ')).toHaveLength(1);
    });

    it('rejects OR (E96, E128)', () => {
      expect(() => parseFilter("params.x = 'a' OR params.y = 'b'")).toThrow(
        /Invalid clause\(s\) in filter string: 'OR'/,
      );
    });

    it('rejects doubled, leading or missing ANDs and grouping parentheses', () => {
      expect(() => parseFilter("a = 'x' and and b = 'y'")).toThrow(SearchSyntaxError);
      expect(() => parseFilter("and a = 'x'")).toThrow(SearchSyntaxError);
      expect(() => parseFilter("a = 'x' b = 'y'")).toThrow(/unexpected 'b'/);
      expect(() => parseFilter("(a = 'x')")).toThrow(SearchSyntaxError);
    });

    it('tolerates missing spaces', () => {
      expect(parseFilter("params.x='a'and metrics.y>-1")).toHaveLength(2);
    });
  });
});

describe('parseOrderByTerm', () => {
  it('defaults to ascending and reads ASC/DESC in any case', () => {
    expect(parseOrderByTerm('metrics.loss')).toMatchObject({ ascending: true });
    expect(parseOrderByTerm('metrics.loss asc')).toMatchObject({ ascending: true });
    expect(parseOrderByTerm('metrics.loss DESC')).toMatchObject({ ascending: false });
    expect(parseOrderByTerm('  name   Desc ')).toMatchObject({
      identifier: { entity: 'attribute', key: 'name' },
      ascending: false,
    });
  });

  it('reads quoted keys (E110) and an empty key after a prefix (E111)', () => {
    expect(parseOrderByTerm('params.`lr` DESC').identifier).toMatchObject({
      entity: 'param',
      key: 'lr',
    });
    expect(parseOrderByTerm('tags.`model type` DESC').identifier.key).toBe('model type');
    expect(parseOrderByTerm('metrics.').identifier).toMatchObject({ entity: 'metric', key: '' });
    expect(parseOrderByTerm('metrics. DESC')).toMatchObject({
      identifier: { key: '' },
      ascending: false,
    });
  });

  it('rejects an unknown direction (E107)', () => {
    expect(() => parseOrderByTerm('metrics.loss SIDEWAYS')).toThrow(
      "Invalid ordering key in order_by clause 'metrics.loss SIDEWAYS'.",
    );
  });

  it('rejects extra tokens (E109) and empty entries', () => {
    expect(() => parseOrderByTerm('metrics.loss ASC DESC')).toThrow(
      "Invalid order_by clause 'metrics.loss ASC DESC'. Could not be parsed.",
    );
    expect(() => parseOrderByTerm('')).toThrow(/Could not be parsed/);
    expect(() => parseOrderByTerm('metrics.loss = 1')).toThrow(/Could not be parsed/);
  });
});
