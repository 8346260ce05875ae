import { dropUppercase, parseRunFilter, parseRunOrderBy } from './run-search-rules';
import { SearchSyntaxError } from './search-error';

/** Filters that MLflow 2.10 answered with 200 in the recordings (client-search, client-errors). */
const ACCEPTED_FILTERS: Array<[string, string]> = [
  ['S006', 'metrics.loss = 0.26'],
  ['S007', 'metrics.loss != 0.26'],
  ['S008', 'metrics.loss < 0.26'],
  ['S009', 'metrics.loss <= 0.26'],
  ['S010', 'metrics.loss > 0.26'],
  ['S011', 'metrics.loss >= 0.26'],
  ['S012', 'metrics.loss < 1e-1'],
  ['S013', 'metrics.acc > 0'],
  ['S014', 'metrics.loss > -1'],
  ['S016', 'metrics.nope > 0'],
  ['S017', 'metrics.`loss` <= 0.2'],
  ['S018', 'metric.loss < 0.2'],
  ['S020', "params.lr = '0.01'"],
  ['S021', "params.lr != '0.01'"],
  ['S022', "params.optimizer LIKE 'adam%'"],
  ['S024', "params.optimizer ILIKE 'ADAM%'"],
  ['S027', 'params.lr = "0.1"'],
  ['S028', "param.lr = '0.1' and parameters.optimizer = 'adam'"],
  ['S030', "tags.team = 'vision'"],
  ['S031', "tags.env != 'prod'"],
  ['S032', "tags.team LIKE 'vis%'"],
  ['S033', "tags.team ILIKE 'VIS%'"],
  ['S034', "tags.`model type` = 'cnn'"],
  ['S035', "tags.`dotted.key` = 'v1'"],
  ['S036', `tags."dotted.key" = 'v2'`],
  ['S037', "tags.`mlflow.runName` = 'run-07'"],
  ['S038', "tags.mlflow.runName LIKE 'run-0%'"],
  ['S039', "tag.team = 'nlp'"],
  ['S040', "attributes.status = 'FAILED'"],
  ['S041', "status != 'FINISHED'"],
  ['S044', "attributes.run_name = 'run-05'"],
  ['S045', "run_name LIKE 'run-1%'"],
  ['S046', "attributes.run_name LIKE 'run-0_'"],
  ['S047', "run_name ILIKE 'RUN-2%'"],
  ['S050', "attributes.`Run name` = 'run-09'"],
  ['S051', "attributes.run_id = '690b9470ab6f4da995de479360a55c9a'"],
  ['S052', "attributes.run_id IN ('690b9470ab6f4da995de479360a55c9a', '9d10')"],
  ['S053', "attributes.run_id NOT IN ('690b9470ab6f4da995de479360a55c9a', '9d10')"],
  ['S055', 'attributes.start_time >= 1700000600000'],
  ['S057', 'attributes.start_time = 1700000120000'],
  ['S058', 'attributes.created > 1700001500000'],
  ['S059', 'attributes.end_time > 1700001200000'],
  ['S061', 'attributes.end_time != 0'],
  ['S062', "attributes.artifact_uri LIKE '%b8e0133dcf774a0b8f16be475c72f9bd%'"],
  ['S063', "attributes.user_id = 'alice'"],
  ['S064', "run.status = 'FAILED' and attr.run_name LIKE 'run-%'"],
  ['S065', "params.lr = '0.1' and metrics.loss < 0.6 and tags.team = 'vision'"],
  ['S066', "params.optimizer = 'adam' AND attributes.status = 'FINISHED'"],
  ['S068', "params.lr = '0.1' and params.lr = '0.01'"],
  ['E99', 'metrics.loss = 1 and'],
  ['E102', "attributes.run_id = 'abc'"],
  ['E103', "attributes.artifact_uri = 'x'"],
  ['E106', 'tags.x = "double-quoted"'],
];

/** Filters MLflow refused (400; E101 was a 500 there and is a deliberate 400 here). */
const REJECTED_FILTERS: Array<[string, string, RegExp]> = [
  ['S029', "params.lr IN ('0.1', '0.01')", /Expected a quoted string value for parameter/],
  ['S042', "attributes.status IN ('FAILED', 'RUNNING')", /Only the 'run_id' attribute/],
  ['S043', "attributes.status NOT IN ('FAILED', 'RUNNING')", /Only the 'run_id' attribute/],
  ['S048', "attributes.run_name IN ('run-01', 'run-02')", /Only the 'run_id' attribute/],
  ['S049', "attributes.run_name NOT IN ('run-01', 'run-02')", /Only the 'run_id' attribute/],
  ['E89', 'metrics.loss <<< 1', /Invalid comparator '<<<'/],
  ['E90', 'params.x = 1', /Expected a quoted string value for parameter .* Got value 1/],
  ['E91', "attributes.unknown = 'x'", /Invalid attribute key 'unknown' specified/],
  ['E92', "tags.x IN ('a')", /Expected a quoted string value for tag .* Got value \('a'\)/],
  ['E93', "params.x IN ('a', 'b')", /Expected a quoted string value for parameter/],
  ['E94', 'metrics.loss IN (1, 2)', /Expected numeric value type for metric. Found \(1, 2\)/],
  ['E95', "metrics.loss > 'abc'", /Expected numeric value type for metric. Found 'abc'/],
  ['E96', "params.x = 'a' OR params.y = 'b'", /Invalid clause\(s\) in filter string: 'OR'/],
  ['E97', 'loss < 1', /Invalid attribute key 'loss' specified/],
  ['E98', 'metrics.loss', /Invalid clause\(s\) in filter string: 'metrics.loss'/],
  [
    'E100',
    "attributes.start_time = 'yesterday'",
    /numeric attribute: start_time. Found 'yesterday'/,
  ],
  ['E101', "attributes.status > 'RUNNING'", /Invalid comparator '>' for attribute 'status'/],
  ['E104', 'attributes.end_time IS NULL', /Invalid comparator 'IS NULL'/],
  ['E105', 'params.x LIKE 1', /Expected a quoted string value for parameter/],
];

describe('parseRunFilter', () => {
  it.each(ACCEPTED_FILTERS)('%s accepts %s', (_case, filter) => {
    expect(() => parseRunFilter(filter)).not.toThrow();
  });

  it.each(REJECTED_FILTERS)('%s rejects %s', (_case, filter, message) => {
    expect(() => parseRunFilter(filter)).toThrow(SearchSyntaxError);
    expect(() => parseRunFilter(filter)).toThrow(message);
  });

  describe('metrics', () => {
    it.each(['=', '!=', '<', '<=', '>', '>='])('accepts %s with a number', (op) => {
      expect(parseRunFilter(`metrics.loss ${op} 0.5`)).toEqual([
        {
          kind: 'metric',
          key: 'loss',
          op,
          value: { kind: 'number', literal: '0.5', value: 0.5, source: '0.5' },
        },
      ]);
    });

    it.each(["LIKE 'a'", "ILIKE 'a'", 'IS NULL', 'IS NOT NULL'])('refuses %s', (rest) => {
      expect(() => parseRunFilter(`metrics.loss ${rest}`)).toThrow(SearchSyntaxError);
    });

    it('refuses a quoted number, like MLflow', () => {
      expect(() => parseRunFilter("metrics.loss < '1'")).toThrow(/Expected numeric value type/);
    });
  });

  describe.each([
    ['params', 'param', 'parameter'],
    ['tags', 'tag', 'tag'],
  ])('%s', (prefix, entity, label) => {
    it.each(['=', '!=', 'LIKE', 'ILIKE'])('accepts %s with a string', (op) => {
      expect(parseRunFilter(`${prefix}.k ${op} 'v'`)).toEqual([
        { kind: 'key-value', entity, key: 'k', op, value: 'v' },
      ]);
    });

    it.each(['<', '<=', '>', '>='])('refuses %s', (op) => {
      expect(() => parseRunFilter(`${prefix}.k ${op} 'v'`)).toThrow(/Invalid comparator/);
    });

    it('accepts IS NULL and IS NOT NULL (MLflow 3.x)', () => {
      expect(parseRunFilter(`${prefix}.k IS NULL and ${prefix}.j IS NOT NULL`)).toEqual([
        { kind: 'key-presence', entity, key: 'k', op: 'IS NULL' },
        { kind: 'key-presence', entity, key: 'j', op: 'IS NOT NULL' },
      ]);
    });

    it('names the entity when the value is not a string', () => {
      expect(() => parseRunFilter(`${prefix}.k = 1`)).toThrow(
        `Expected a quoted string value for ${label} (e.g. 'my-value'). Got value 1`,
      );
    });
  });

  describe('attributes', () => {
    it.each([
      ['run_id', 'run_id'],
      ['run_name', 'run_name'],
      ['`run name`', 'run_name'],
      ['`Run name`', 'run_name'],
      ['`Run Name`', 'run_name'],
      ['status', 'status'],
      ['artifact_uri', 'artifact_uri'],
      ['user_id', 'user_id'],
    ])('maps the string attribute %s to %s', (key, field) => {
      expect(parseRunFilter(`attributes.${key} LIKE 'x%'`)).toEqual([
        { kind: 'string-field', field, op: 'LIKE', value: 'x%' },
      ]);
    });

    it.each([
      ['start_time', 'start_time'],
      ['created', 'start_time'],
      ['Created', 'start_time'],
      ['end_time', 'end_time'],
    ])('maps the numeric attribute %s to %s', (key, field) => {
      expect(parseRunFilter(`${key} >= 1700000000000`)).toMatchObject([
        { kind: 'numeric-field', field, op: '>=', value: { literal: '1700000000000' } },
      ]);
    });

    it('refuses a number for a string attribute', () => {
      expect(() => parseRunFilter('status = 1')).toThrow(
        /Expected a quoted string value for attributes/,
      );
    });

    it('refuses LIKE on a numeric attribute', () => {
      expect(() => parseRunFilter("start_time LIKE '1%'")).toThrow(SearchSyntaxError);
    });

    it('is case-sensitive about attribute names', () => {
      expect(() => parseRunFilter("STATUS = 'x'")).toThrow(/Invalid attribute key 'STATUS'/);
    });
  });

  describe('run_id lists', () => {
    it('accepts IN and NOT IN and drops ids with uppercase letters', () => {
      expect(parseRunFilter("run_id IN ('abc', 'ABC', 'aBc', 'def')")).toEqual([
        { kind: 'list-field', field: 'run_id', op: 'IN', values: ['abc', 'def'] },
      ]);
      expect(parseRunFilter("attributes.run_id NOT IN ('ABC')")).toEqual([
        { kind: 'list-field', field: 'run_id', op: 'NOT IN', values: [] },
      ]);
    });

    it('refuses numbers in the list, a list with =, and IN with a single string', () => {
      expect(() => parseRunFilter('run_id IN (1, 2)')).toThrow(/list of quoted string values/);
      expect(() => parseRunFilter("run_id = ('a')")).toThrow(/Invalid comparator '='/);
      expect(() => parseRunFilter("run_id IN 'a'")).toThrow(/Invalid comparator 'IN'/);
    });
  });

  describe('datasets', () => {
    it.each(['name', 'digest', 'context'])('accepts datasets.%s with strings and lists', (key) => {
      expect(parseRunFilter(`datasets.${key} = 'a' and dataset.${key} NOT IN ('b', 'C')`)).toEqual([
        { kind: 'dataset', field: key, op: '=', value: 'a' },
        { kind: 'dataset-list', field: key, op: 'NOT IN', values: ['b', 'C'] },
      ]);
    });

    it('refuses unknown dataset keys, numbers and IS NULL', () => {
      expect(() => parseRunFilter("datasets.source = 'x'")).toThrow(/Invalid dataset key 'source'/);
      expect(() => parseRunFilter('datasets.name = 1')).toThrow(/Expected a quoted string/);
      expect(() => parseRunFilter('datasets.name IS NULL')).toThrow(/Invalid comparator/);
      expect(() => parseRunFilter("datasets.name < 'a'")).toThrow(/Invalid comparator/);
    });
  });
});

describe('parseRunOrderBy', () => {
  it('returns nothing for no order_by', () => {
    expect(parseRunOrderBy(undefined)).toEqual([]);
    expect(parseRunOrderBy([])).toEqual([]);
  });

  it.each([
    ['metrics.loss ASC', { kind: 'metric', key: 'loss', ascending: true }],
    ['metrics.`loss`', { kind: 'metric', key: 'loss', ascending: true }],
    ['metrics.', { kind: 'metric', key: '', ascending: true }],
    ['params.batch_size ASC', { kind: 'param', key: 'batch_size', ascending: true }],
    ['params.`lr` DESC', { kind: 'param', key: 'lr', ascending: false }],
    ['tags.`model type` DESC', { kind: 'tag', key: 'model type', ascending: false }],
    ['attributes.start_time ASC', { kind: 'attribute', field: 'start_time', ascending: true }],
    ['start_time DESC', { kind: 'attribute', field: 'start_time', ascending: false }],
    ['created DESC', { kind: 'attribute', field: 'start_time', ascending: false }],
    ['end_time DESC', { kind: 'attribute', field: 'end_time', ascending: false }],
    ['attributes.run_name DESC', { kind: 'attribute', field: 'run_name', ascending: false }],
    ['attributes.status ASC', { kind: 'attribute', field: 'status', ascending: true }],
    ['attributes.run_id ASC', { kind: 'attribute', field: 'run_id', ascending: true }],
    ['attributes.artifact_uri ASC', { kind: 'attribute', field: 'artifact_uri', ascending: true }],
    ['attributes.user_id DESC', { kind: 'attribute', field: 'user_id', ascending: false }],
  ])('reads %s', (term, key) => {
    expect(parseRunOrderBy([term])).toEqual([key]);
  });

  it('keeps several keys in order (S084)', () => {
    expect(parseRunOrderBy(['params.lr ASC', 'metrics.loss DESC'])).toEqual([
      { kind: 'param', key: 'lr', ascending: true },
      { kind: 'metric', key: 'loss', ascending: false },
    ]);
  });

  it.each([
    ['E107', 'metrics.loss SIDEWAYS', /Invalid ordering key/],
    ['E108', 'nonexistent_column', /Invalid attribute key 'nonexistent_column'/],
    ['E109', 'metrics.loss ASC DESC', /Could not be parsed/],
    ['E112', 'attributes.bogus ASC', /Invalid attribute key 'bogus'/],
    ['run name alias', '`Run name` ASC', /Invalid attribute key 'Run name'/],
    ['dataset', 'datasets.name', /dataset fields/],
  ])('%s rejects %s', (_case, term, message) => {
    expect(() => parseRunOrderBy([term])).toThrow(message);
  });

  it.each([
    [['metrics.loss', 'metrics.loss DESC']],
    [['metrics.loss', 'metric.loss']],
    [['params.lr', 'parameters.lr DESC']],
    [['start_time', 'created DESC']],
    [['attributes.status', 'status']],
  ])('rejects duplicate fields %j', (terms) => {
    expect(() => parseRunOrderBy(terms)).toThrow(/`order_by` contains duplicate fields/);
  });

  it('does not confuse the same key of different entities', () => {
    expect(parseRunOrderBy(['metrics.x', 'params.x', 'tags.x'])).toHaveLength(3);
  });
});

describe('dropUppercase', () => {
  it('keeps lowercase values only', () => {
    expect(dropUppercase(['ab12', 'AB12', 'a-b', 'Ab'])).toEqual(['ab12', 'a-b']);
  });
});
