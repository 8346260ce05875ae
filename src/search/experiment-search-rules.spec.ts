import { parseExperimentFilter, parseExperimentOrderBy } from './experiment-search-rules';
import { SearchSyntaxError } from './search-error';

describe('parseExperimentFilter', () => {
  it.each([
    ['S117', "name = 'search-exp-a'"],
    ['S118', "name != 'search-exp-a'"],
    ['S119', "name LIKE 'search-%'"],
    ['S120', "name ILIKE 'SEARCH-EXP-%'"],
    ['S121', "attribute.name = 'search-exp-b'"],
    ['S122', "tags.team = 'vision'"],
    ['S124', "tags.team != 'vision'"],
    ['S125', "tags.team LIKE 'n%'"],
    ['S126', "tags.`team` ILIKE 'VIS%'"],
    ['S127', "tags.priority = 'high' and name LIKE '%-a'"],
    ['S128', 'creation_time > 0'],
    ['S129', 'last_update_time >= 0'],
  ])('%s accepts %s', (_case, filter) => {
    expect(() => parseExperimentFilter(filter)).not.toThrow();
  });

  it.each([
    ['E123', 'name = 1', /Expected a quoted string value for attributes/],
    ['E124', "foo = 'x'", /Invalid attribute key 'foo' specified/],
    ['E125', "creation_time = 'abc'", /numeric attribute: creation_time. Found 'abc'/],
    ['E126', "name IN ('a')", /Only the 'run_id' attribute/],
    ['E127', 'tags.k = 1', /Expected a quoted string value for tag/],
    ['E128', "name LIKE 'errors%' OR name = 'x'", /'OR'/],
    ['metric', 'metrics.loss < 1', /experiments can be searched by attributes/],
    ['param', "params.x = 'a'", /experiments can be searched by attributes/],
    ['numeric LIKE', "creation_time LIKE '1%'", SearchSyntaxError],
    ['name <', "name < 'b'", /Invalid comparator '<'/],
    ['name IS NULL', 'name IS NULL', /Invalid comparator 'IS NULL'/],
    ['time IS NULL', 'creation_time IS NOT NULL', /Invalid comparator 'IS NOT NULL'/],
    ['tags <', "tags.k < 'b'", /Invalid comparator '<'/],
    ['experiment_id', 'experiment_id = 1', /Invalid attribute key 'experiment_id'/],
  ])('%s rejects %s', (_case, filter, message) => {
    expect(() => parseExperimentFilter(filter)).toThrow(message);
  });

  it('builds typed conditions', () => {
    expect(
      parseExperimentFilter(
        "attributes.name ILIKE 'a%' and creation_time <= 5 and tags.team = 'x' and tags.t IS NULL",
      ),
    ).toEqual([
      { kind: 'string-field', field: 'name', op: 'ILIKE', value: 'a%' },
      {
        kind: 'numeric-field',
        field: 'creation_time',
        op: '<=',
        value: { kind: 'number', literal: '5', value: 5, source: '5' },
      },
      { kind: 'key-value', entity: 'tag', key: 'team', op: '=', value: 'x' },
      { kind: 'key-presence', entity: 'tag', key: 't', op: 'IS NULL' },
    ]);
  });
});

describe('parseExperimentOrderBy', () => {
  it.each([
    ['name DESC', 'name', false],
    ['experiment_id ASC', 'experiment_id', true],
    ['creation_time DESC', 'creation_time', false],
    ['last_update_time', 'last_update_time', true],
    ['attribute.name', 'name', true],
  ])('reads %s', (term, field, ascending) => {
    expect(parseExperimentOrderBy([term])).toEqual([{ field, ascending }]);
  });

  it('rejects unknown keys (E129), tags and duplicates', () => {
    expect(() => parseExperimentOrderBy(['bogus'])).toThrow(/Invalid attribute key 'bogus'/);
    expect(() => parseExperimentOrderBy(['tags.team'])).toThrow(/ordered by/);
    expect(() => parseExperimentOrderBy(['name', 'attributes.name DESC'])).toThrow(/duplicate/);
  });
});
