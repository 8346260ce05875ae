import {
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from './registered-model-search-rules';

describe('parseRegisteredModelFilter', () => {
  it.each([
    ['S139', "name = 'search-model-alpha'"],
    ['S140', "name LIKE 'search-%'"],
    ['S141', "name ILIKE '%ALPHA%'"],
    ['S142', "name != 'other-model'"],
    ['S143', "tags.domain = 'vision'"],
    ['S144', "tags.domain LIKE 'n%' and name LIKE 'search-%'"],
    ['E134', "tags.k = 'v'"],
  ])('%s accepts %s', (_case, filter) => {
    expect(() => parseRegisteredModelFilter(filter)).not.toThrow();
  });

  it.each([
    ['E132', "foo = 'x'", /Invalid attribute key 'foo' specified. Valid keys are 'name'/],
    ['E133', 'name = 1', /Expected a quoted string value or a list of quoted string values/],
    ['E135', "name IN ('a')", /Only the 'run_id' attribute/],
    ['E136', "name != 'x' OR 1=1", /'OR'/],
    ['name <', "name < 'x'", /Invalid comparator '<'/],
    ['tag number', 'tags.k = 1', /Expected a quoted string value for tag/],
    ['tag IS NULL', 'tags.k IS NULL', /Invalid comparator 'IS NULL'/],
    ['name IS NULL', 'name IS NULL', /Invalid comparator 'IS NULL'/],
    ['metric', 'metrics.x > 1', /registered models can be searched by name and tags/],
  ])('%s rejects %s', (_case, filter, message) => {
    expect(() => parseRegisteredModelFilter(filter)).toThrow(message);
  });

  it('builds typed conditions', () => {
    expect(parseRegisteredModelFilter("name LIKE 'a%' and tags.k != 'v'")).toEqual([
      { kind: 'string-field', field: 'name', op: 'LIKE', value: 'a%' },
      { kind: 'key-value', entity: 'tag', key: 'k', op: '!=', value: 'v' },
    ]);
  });
});

describe('parseRegisteredModelOrderBy', () => {
  it.each([
    ['name DESC', 'name', false],
    ['last_updated_timestamp DESC', 'last_updated_timestamp', false],
    ['timestamp DESC', 'last_updated_timestamp', false],
    ['name', 'name', true],
  ])('reads %s', (term, field, ascending) => {
    expect(parseRegisteredModelOrderBy([term])).toEqual([{ field, ascending }]);
  });

  it('rejects creation_timestamp (S148), unknown keys (E138) and duplicates', () => {
    expect(() => parseRegisteredModelOrderBy(['creation_timestamp ASC'])).toThrow(
      /Invalid order by key 'creation_timestamp' specified/,
    );
    expect(() => parseRegisteredModelOrderBy(['bogus'])).toThrow(/Invalid order by key 'bogus'/);
    expect(() => parseRegisteredModelOrderBy(['tags.x'])).toThrow(/Invalid order by key/);
    expect(() => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp'])).toThrow(
      /duplicate/,
    );
  });
});
