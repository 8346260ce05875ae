import { buildExperimentSearchSql, ExperimentSearchSqlInput } from './experiment-search-sql';
import { SearchSyntaxError } from './search-error';

const build = (overrides: Partial<ExperimentSearchSqlInput> = {}) =>
  buildExperimentSearchSql({ viewType: 'ACTIVE_ONLY', offset: 0, limit: 1001, ...overrides });

const orderByOf = (text: string) => /ORDER BY (.*)\n/.exec(text)?.[1];

describe('buildExperimentSearchSql', () => {
  it('lists active experiments, newest first, then by id', () => {
    const { text, values } = build();
    expect(text).toBe(
      [
        'SELECT e.experiment_id',
        'FROM experiments e',
        "WHERE e.lifecycle_stage = 'active'",
        'ORDER BY e.creation_time DESC, e.experiment_id ASC',
        'LIMIT $1 OFFSET $2',
      ].join('\n'),
    );
    expect(values).toEqual([1001, 0]);
  });

  it('has no WHERE for ALL without a filter, and filters DELETED_ONLY', () => {
    expect(build({ viewType: 'ALL' }).text).not.toContain('WHERE');
    expect(build({ viewType: 'DELETED_ONLY' }).text).toContain("e.lifecycle_stage = 'deleted'");
  });

  it('compiles name, time and tag clauses', () => {
    const { text, values } = build({
      filter:
        "name LIKE 'search-%' and creation_time > 0 and last_update_time <= 5" +
        " and tags.team != 'nlp' and tags.x IS NOT NULL and tags.y IS NULL",
    });
    expect(text).toContain('  AND e.name LIKE $1\n');
    expect(text).toContain('  AND e.creation_time > $2::bigint\n');
    expect(text).toContain('  AND e.last_update_time <= $3::bigint\n');
    expect(text).toContain(
      'EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id' +
        ' AND t.key = $4 AND t.value <> $5)',
    );
    expect(text).toContain(
      '  AND EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = $6)',
    );
    expect(text).toContain('  AND NOT EXISTS (SELECT 1 FROM experiment_tags t');
    expect(values).toEqual(['search-%', '0', '5', 'team', 'nlp', 'x', 'y', 1001, 0]);
  });

  it.each([
    [['name DESC'], 'e.name DESC, e.experiment_id DESC'],
    [['creation_time'], 'e.creation_time ASC, e.experiment_id DESC'],
    [
      ['last_update_time DESC', 'name'],
      'e.last_update_time DESC, e.name ASC, e.experiment_id DESC',
    ],
    [['experiment_id ASC'], 'e.experiment_id ASC'],
    [['name', 'experiment_id DESC'], 'e.name ASC, e.experiment_id DESC'],
  ])('orders by %j with the experiment_id DESC tie-break', (orderBy, order) => {
    expect(orderByOf(build({ orderBy }).text)).toBe(order);
  });

  it('propagates filter and order errors', () => {
    expect(() => build({ filter: 'name = 1' })).toThrow(SearchSyntaxError);
    expect(() => build({ orderBy: ['bogus'] })).toThrow(SearchSyntaxError);
    expect(() => build({ limit: -1 })).toThrow(SearchSyntaxError);
  });
});
