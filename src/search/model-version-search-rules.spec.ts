import { parseModelVersionFilter, parseModelVersionOrderBy } from './model-version-search-rules';

describe('parseModelVersionFilter', () => {
  it.each([
    ['S153', "name = 'search-model-alpha'"],
    ['S154', "name LIKE 'search-model-%'"],
    ['S155', "name ILIKE 'SEARCH-MODEL-B%'"],
    ['S156', "run_id = '14f81b0028d746d2949890325f7a8a07'"],
    ['S157', "run_id IN ('475f559ca2924f29bf7a2cb27f22eed1', 'ff9163ce768644e0a544b64d82f3af28')"],
    ['S158', "source_path = 'runs:/bed6c3ce61b649898358ba84efada45f/model'"],
    ['S159', "name = 'search-model-alpha' and version_number > 1"],
    ['S160', "tags.validated = 'true'"],
    ['S161', "tags.src LIKE 'run-2%'"],
    ['E143', "tags.k = 'v'"],
  ])('%s accepts %s', (_case, filter) => {
    expect(() => parseModelVersionFilter(filter)).not.toThrow();
  });

  it.each([
    ['E140', "foo = 'x'", /Invalid attribute key 'foo' specified/],
    ['E141', "version_number = 'abc'", /Expected an integer value for version_number/],
    ['E142', "run_id NOT IN ('a')", /Invalid comparator 'NOT IN'/],
    ['E144', "name = 'errors-model' OR name = 'x'", /'OR'/],
    ['name IN', "name IN ('a')", /Only the 'run_id' attribute/],
    ['version LIKE', "version_number LIKE '1'", /Invalid comparator 'LIKE'/],
    ['name number', 'name = 1', /Expected a quoted string value for attributes/],
    ['param', "params.x = 'a'", /model versions can be searched by/],
    ['IS NULL', 'name IS NULL', /Invalid comparator 'IS NULL'/],
    ['tag IS NULL', 'tags.k IS NULL', /Invalid comparator 'IS NULL'/],
    ['run_id numbers', 'run_id IN (1)', /list of quoted string values/],
  ])('%s rejects %s', (_case, filter, message) => {
    expect(() => parseModelVersionFilter(filter)).toThrow(message);
  });

  it('builds typed conditions, dropping uppercase run ids from lists', () => {
    expect(
      parseModelVersionFilter(
        "source_path LIKE 'runs:/%' and run_id IN ('ab', 'AB') and version_number >= 2 and tags.k = 'v'",
      ),
    ).toEqual([
      { kind: 'string-field', field: 'source_path', op: 'LIKE', value: 'runs:/%' },
      { kind: 'list-field', field: 'run_id', op: 'IN', values: ['ab'] },
      {
        kind: 'numeric-field',
        field: 'version_number',
        op: '>=',
        value: { kind: 'number', literal: '2', value: 2, source: '2' },
      },
      { kind: 'key-value', entity: 'tag', key: 'k', op: '=', value: 'v' },
    ]);
  });

  it('accepts a quoted integer for version_number, as MLflow does through its database', () => {
    expect(parseModelVersionFilter("version_number = '3'")).toMatchObject([
      { kind: 'numeric-field', value: { literal: '3', value: 3 } },
    ]);
  });
});

describe('parseModelVersionOrderBy', () => {
  it.each([
    ['name ASC', 'name', true],
    ['version_number DESC', 'version_number', false],
    ['creation_timestamp', 'creation_timestamp', true],
    ['last_updated_timestamp DESC', 'last_updated_timestamp', false],
  ])('reads %s', (term, field, ascending) => {
    expect(parseModelVersionOrderBy([term])).toEqual([{ field, ascending }]);
  });

  it('rejects unknown keys and duplicates', () => {
    expect(() => parseModelVersionOrderBy(['timestamp'])).toThrow(/Invalid order by key/);
    expect(() => parseModelVersionOrderBy(['name', 'name DESC'])).toThrow(/duplicate/);
  });
});
