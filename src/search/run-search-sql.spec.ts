import { planRunSearch, RunSearchSqlInput } from './run-search-sql';
import { SearchSyntaxError } from './search-error';

type BuildInput = RunSearchSqlInput & { offset: number; limit: number; section: number };

const plan = (overrides: Partial<RunSearchSqlInput> = {}) =>
  planRunSearch({
    experimentIds: [1, 2],
    filter: '',
    orderBy: [],
    viewType: 'ACTIVE_ONLY',
    ...overrides,
  });

/** The SQL of one section (0 unless given) from `offset`, for a page of `limit` (100). */
const build = ({ offset = 0, limit = 100, section = 0, ...input }: Partial<BuildInput> = {}) =>
  plan(input).query({ section, skip: offset }, limit);

/** Every $n in the text refers to a value, and every value is used. */
function expectPlaceholdersMatch(text: string, values: unknown[]): void {
  const used = new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  expect([...used].sort((a, b) => a - b)).toEqual(values.map((_, i) => i + 1));
}

const orderByOf = (text: string) => /ORDER BY (.*)\n/.exec(text)?.[1];

describe('buildRunSearchSql', () => {
  it('selects run ids of the experiments, newest first, then by id', () => {
    const { text, values } = build();
    expect(text).toBe(
      [
        'SELECT r.run_uuid, r.start_time AS order_value',
        'FROM runs r',
        'WHERE r.experiment_id = ANY($1::int[])',
        "  AND r.lifecycle_stage = 'active'",
        'ORDER BY r.start_time DESC, r.run_uuid ASC',
        'LIMIT $2 OFFSET $3',
      ].join('\n'),
    );
    expect(values).toEqual([[1, 2], 100, 0]);
  });

  it.each([
    ['ACTIVE_ONLY', "r.lifecycle_stage = 'active'"],
    ['DELETED_ONLY', "r.lifecycle_stage = 'deleted'"],
  ] as const)('filters %s by lifecycle stage', (viewType, condition) => {
    expect(build({ viewType }).text).toContain(condition);
  });

  it('does not filter the lifecycle stage for ALL', () => {
    expect(build({ viewType: 'ALL' }).text).not.toContain('lifecycle_stage');
  });

  it('passes paging as parameters', () => {
    const { text, values } = build({ offset: 14, limit: 7 });
    expect(text).toMatch(/LIMIT \$2 OFFSET \$3$/);
    expect(values.slice(1)).toEqual([7, 14]);
  });

  it('accepts a zero limit (E116) and an empty experiment list', () => {
    expect(build({ limit: 0 }).values).toContain(0);
    expect(build({ experimentIds: [] }).values[0]).toEqual([]);
  });

  it.each([
    [{ limit: -1 }, /max_results/],
    [{ limit: 1.5 }, /max_results/],
    [{ offset: -7 }, /page token/],
    [{ experimentIds: [1.5] }, /Invalid experiment id/],
    [{ experimentIds: [-1] }, /Invalid experiment id/],
    [{ experimentIds: [2 ** 31] }, /Invalid experiment id/],
  ])('rejects %j', (overrides, message) => {
    expect(() => build(overrides)).toThrow(SearchSyntaxError);
    expect(() => build(overrides)).toThrow(message);
  });

  describe('filters', () => {
    it('probes latest_metrics for a metric, excluding NaN from > and >=', () => {
      const { text, values } = build({ filter: 'metrics.loss >= 1e-1 and metrics.acc < 0.5' });
      expect(text).toContain(
        'EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = $2' +
          " AND m.value >= $3::float8 AND m.value <> 'NaN'::float8)",
      );
      expect(text).toContain('m.key = $4 AND m.value < $5::float8)');
      expect(values.slice(1, 5)).toEqual(['loss', '0.1', 'acc', '0.5']);
    });

    it.each([
      ['=', '='],
      ['!=', '<>'],
      ['LIKE', 'LIKE'],
      ['ILIKE', 'ILIKE'],
    ])('probes params and tags with %s', (op, sqlOp) => {
      const { text, values } = build({ filter: `params.lr ${op} 'a' and tags.t ${op} 'b'` });
      expect(text).toContain(
        `EXISTS (SELECT 1 FROM params k WHERE k.run_uuid = r.run_uuid AND k.key = $2 AND k.value ${sqlOp} $3)`,
      );
      expect(text).toContain(
        `EXISTS (SELECT 1 FROM tags k WHERE k.run_uuid = r.run_uuid AND k.key = $4 AND k.value ${sqlOp} $5)`,
      );
      expect(values.slice(1, 5)).toEqual(['lr', 'a', 't', 'b']);
    });

    it('tests key presence for IS NULL / IS NOT NULL', () => {
      const { text } = build({ filter: 'tags.a IS NULL and params.b IS NOT NULL' });
      expect(text).toContain(
        'NOT EXISTS (SELECT 1 FROM tags k WHERE k.run_uuid = r.run_uuid AND k.key = $2)',
      );
      expect(text).toContain(
        '  AND EXISTS (SELECT 1 FROM params k WHERE k.run_uuid = r.run_uuid AND k.key = $3)',
      );
    });

    it.each([
      ["attributes.status = 'FAILED'", 'r.status = $2'],
      ["run_name LIKE 'run-1%'", 'r.name LIKE $2'],
      ["attributes.`Run name` = 'run-09'", 'r.name = $2'],
      ["user_id != 'alice'", 'r.user_id <> $2'],
      ["artifact_uri ILIKE '%x%'", 'r.artifact_uri ILIKE $2'],
      ["run_id = 'abc'", 'r.run_uuid = $2'],
      ['start_time >= 1700000600000', 'r.start_time >= $2::bigint'],
      ['created > 5', 'r.start_time > $2::bigint'],
      ['end_time != 0', 'r.end_time <> $2::bigint'],
      ['end_time < 1.5e12', 'r.end_time < $2::numeric'],
      ['end_time < 99999999999999999999', 'r.end_time < $2::numeric'],
    ])('compares the run column for %s', (filter, sql) => {
      expect(build({ filter }).text).toContain(`  AND ${sql}\n`);
    });

    it('passes run id lists as one array parameter', () => {
      const inList = build({ filter: "run_id IN ('aa', 'BB', 'cc')" });
      expect(inList.text).toContain('r.run_uuid = ANY($2::text[])');
      expect(inList.values[1]).toEqual(['aa', 'cc']);
      expect(build({ filter: "run_id NOT IN ('aa')" }).text).toContain(
        'r.run_uuid <> ALL($2::text[])',
      );
    });

    it('joins run_inputs and datasets for dataset names and digests', () => {
      const { text, values } = build({
        filter: "datasets.name = 'iris' and datasets.digest IN ('d1', 'd2')",
      });
      expect(text).toContain(
        'EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d ON d.dataset_uuid = ri.dataset_uuid' +
          ' WHERE ri.run_uuid = r.run_uuid AND d.name = $2)',
      );
      expect(text).toContain('AND d.digest = ANY($3::text[]))');
      expect(values.slice(1, 3)).toEqual(['iris', ['d1', 'd2']]);
    });

    it('reads the dataset context from the input tag mlflow.data.context', () => {
      const { text } = build({ filter: "datasets.context LIKE 'train%'" });
      expect(text).toContain("it.tag->>'key' = 'mlflow.data.context'");
      expect(text).toContain("it.tag->>'value' LIKE $2");
    });

    it('never writes user keys or values into the SQL text', () => {
      const hostile = "x'); DROP TABLE runs; --";
      const { text, values } = build({
        filter:
          `params.\`${hostile}\` = '${hostile.replace(/'/g, "''")}'` +
          ` and tags."${hostile}" LIKE "${hostile}" and run_id IN ('${hostile.replace(/'/g, "''")}')`,
        orderBy: [`metrics.\`${hostile}\` DESC`],
      });
      expect(text).not.toContain('DROP');
      expect(values.filter((v) => v === hostile)).toHaveLength(5);
      expectPlaceholdersMatch(text, values);
    });

    it('numbers placeholders consistently for a long filter', () => {
      const { text, values } = build({
        filter:
          "params.lr = '0.1' and metrics.loss < 0.6 and tags.team = 'vision' and status != 'x'" +
          " and start_time > 1 and run_id IN ('a') and datasets.context = 'c' and tags.z IS NULL",
        orderBy: ['params.lr', 'metrics.loss DESC', 'tags.env', 'end_time'],
      });
      expectPlaceholdersMatch(text, values);
    });
  });

  describe('order', () => {
    it('orders later metric keys through one LEFT JOIN, NaN after numbers, missing last', () => {
      const { text, values } = build({ orderBy: ['end_time', 'metrics.acc DESC'] });
      expect(text).toContain(
        'LEFT JOIN latest_metrics o1 ON o1.run_uuid = r.run_uuid AND o1.key = $2\n',
      );
      expect(values[1]).toBe('acc');
      expect(text).toContain('  AND r.end_time IS NOT NULL\n');
      expect(orderByOf(text)).toBe(
        'r.end_time ASC, ' +
          "(CASE WHEN o1.value IS NULL THEN 2 WHEN o1.value = 'NaN'::float8 THEN 1 ELSE 0 END), " +
          'o1.value DESC, r.start_time DESC, r.run_uuid ASC',
      );
    });

    it('orders later params and tags with missing values last', () => {
      const { text } = build({ orderBy: ['status', 'params.lr ASC', 'tags.`model type` DESC'] });
      expect(text).toContain('LEFT JOIN params o1 ON o1.run_uuid = r.run_uuid AND o1.key = $2');
      expect(text).toContain('LEFT JOIN tags o2 ON o2.run_uuid = r.run_uuid AND o2.key = $3');
      expect(orderByOf(text)).toBe(
        'r.status ASC, (o1.value IS NULL), o1.value ASC, (o2.value IS NULL), o2.value DESC, ' +
          'r.start_time DESC, r.run_uuid ASC',
      );
    });
  });

  describe('ordered first by a metric, param or tag', () => {
    it('splits a metric order into numbers, NaN, then missing values', () => {
      const metric = plan({ orderBy: ['metrics.acc DESC', 'params.lr'] });
      expect(metric).toMatchObject({ sections: 3 });
      const numbers = metric.query({ section: 0, skip: 0 }, 10);
      expect(numbers.text).toMatch(/^SELECT r\.run_uuid, o0\.value AS order_value\n/);
      expect(numbers.text).toContain(
        'JOIN latest_metrics o0 ON o0.run_uuid = r.run_uuid AND o0.key = $1\n',
      );
      expect(numbers.text).toContain("  AND o0.value < 'NaN'::float8\n");
      expect(orderByOf(numbers.text)).toBe(
        'o0.value DESC, (o1.value IS NULL), o1.value ASC, r.start_time DESC, r.run_uuid ASC',
      );
      const nan = metric.query({ section: 1, skip: 5 }, 10);
      expect(nan.text).toContain(
        'EXISTS (SELECT 1 FROM latest_metrics o0 WHERE o0.run_uuid = r.run_uuid AND o0.key = $1' +
          " AND o0.value = 'NaN'::float8)",
      );
      expect(orderByOf(nan.text)).toBe(
        '(o1.value IS NULL), o1.value ASC, r.start_time DESC, r.run_uuid ASC',
      );
      expect(nan.values.slice(-2)).toEqual([10, 5]);
      const missing = metric.query({ section: 2, skip: 0 }, 10);
      expect(missing.text).toContain(
        'NOT EXISTS (SELECT 1 FROM latest_metrics o0 WHERE o0.run_uuid = r.run_uuid AND o0.key = $1)',
      );
    });

    it('starts a keyset position at its value, inclusive, in the order direction', () => {
      const asc = plan({ orderBy: ['metrics.loss'] }).query(
        { section: 0, after: '0.5', skip: 3 },
        10,
      );
      expect(asc.text).toContain('  AND o0.value >= $3::float8\n');
      expect(asc.values.slice(-3)).toEqual(['0.5', 10, 3]);
      const desc = plan({ orderBy: ['params.lr DESC'] }).query(
        { section: 0, after: 'b', skip: 0 },
        1,
      );
      expect(desc.text).toContain('  AND o0.value <= $3::text\n');
      expect(desc.text).not.toContain('NaN');
    });

    it('has no NaN section for params and tags', () => {
      const tag = plan({ orderBy: ['tags.team'] });
      expect(tag).toMatchObject({ sections: 2 });
      expect(tag.query({ section: 0, skip: 0 }, 1).text).toContain(
        'JOIN tags o0 ON o0.run_uuid = r.run_uuid AND o0.key = $1\n',
      );
      expect(tag.query({ section: 1, skip: 0 }, 1).text).toContain(
        'NOT EXISTS (SELECT 1 FROM tags o0',
      );
    });

    it('walks start_time (the default order) or any attribute the same way', () => {
      const byDefault = plan();
      expect(byDefault.sections).toBe(1);
      const next = byDefault.query({ section: 0, after: '1700000000000', skip: 2 }, 10);
      expect(next.text).toContain('  AND r.start_time <= $2::bigint\n');
      expect(orderByOf(next.text)).toBe('r.start_time DESC, r.run_uuid ASC');
      expect(next.values).toEqual([[1, 2], '1700000000000', 10, 2]);
      const byName = plan({ orderBy: ['run_name'] }).query({ section: 0, after: 'b', skip: 0 }, 1);
      expect(byName.text).toContain('  AND r.name >= $2::text\n');
    });

    it.each([
      [[], 'p1'],
      [[], '99999999999999999999'],
      [['metrics.m'], '1e999'],
      [['metrics.m'], 'abc'],
      [['params.p'], 'a\u0000'],
    ])('refuses an order value that is not of the first key of %j: %s', (orderBy, after) => {
      const search = plan({ orderBy });
      expect(() => search.query({ section: 0, after, skip: 0 }, 1)).toThrow(SearchSyntaxError);
    });
  });

  describe('attribute order', () => {
    it('puts runs without end_time last in both directions', () => {
      const byEnd = plan({ orderBy: ['end_time DESC'] });
      expect(byEnd.sections).toBe(2);
      expect(orderByOf(byEnd.query({ section: 0, skip: 0 }, 1).text)).toBe(
        'r.end_time DESC, r.start_time DESC, r.run_uuid ASC',
      );
      const missing = byEnd.query({ section: 1, skip: 0 }, 1).text;
      expect(missing).toContain('  AND r.end_time IS NULL\n');
      expect(orderByOf(missing)).toBe('r.start_time DESC, r.run_uuid ASC');
    });

    it.each([
      ['attributes.start_time ASC', 'r.start_time ASC, r.run_uuid ASC'],
      ['created DESC', 'r.start_time DESC, r.run_uuid ASC'],
      ['attributes.run_id ASC', 'r.run_uuid ASC, r.start_time DESC'],
      ['attributes.run_name DESC', 'r.name DESC, r.start_time DESC, r.run_uuid ASC'],
      ['attributes.status', 'r.status ASC, r.start_time DESC, r.run_uuid ASC'],
      ['attributes.user_id DESC', 'r.user_id DESC, r.start_time DESC, r.run_uuid ASC'],
      ['attributes.artifact_uri', 'r.artifact_uri ASC, r.start_time DESC, r.run_uuid ASC'],
    ])('orders by %s with only the missing tie-breaks', (term, order) => {
      expect(orderByOf(build({ orderBy: [term] }).text)).toBe(order);
    });

    it('accepts an empty metric key (E111): no run has it, so the tie-breaks decide', () => {
      const { values } = build({ orderBy: ['metrics.'] });
      expect(values[0]).toBe('');
    });

    it('propagates order_by errors', () => {
      expect(() => build({ orderBy: ['metrics.loss SIDEWAYS'] })).toThrow(SearchSyntaxError);
      expect(() => build({ orderBy: ['metrics.loss', 'metrics.loss'] })).toThrow(/duplicate/);
    });
  });
});
