import { buildModelVersionSearchSql, ModelVersionSearchSqlInput } from './model-version-search-sql';

const build = (overrides: Partial<ModelVersionSearchSqlInput> = {}) =>
  buildModelVersionSearchSql({ offset: 0, limit: 1001, ...overrides });

const orderByOf = (text: string) => /ORDER BY (.*)\n/.exec(text)?.[1];

describe('buildModelVersionSearchSql', () => {
  it('lists live versions, last updated first, by default', () => {
    expect(build()).toEqual({
      text: [
        'SELECT mv.name, mv.version',
        'FROM model_versions mv',
        "WHERE mv.current_stage <> 'Deleted_Internal'",
        'ORDER BY mv.last_updated_time DESC, mv.name ASC, mv.version DESC',
        'LIMIT $1 OFFSET $2',
      ].join('\n'),
      values: [1001, 0],
    });
  });

  it('compiles every clause kind', () => {
    const { text, values } = build({
      filter:
        "name = 'm' and source_path LIKE 'runs:/%' and run_id IN ('ab') and run_id != 'cd'" +
        " and version_number > 1 and tags.src LIKE 'run-2%'",
    });
    expect(text).toContain('  AND mv.name = $1\n');
    expect(text).toContain('  AND mv.source LIKE $2\n');
    expect(text).toContain('  AND mv.run_id = ANY($3::text[])\n');
    expect(text).toContain('  AND mv.run_id <> $4\n');
    expect(text).toContain('  AND mv.version > $5::bigint\n');
    expect(text).toContain(
      'EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = mv.name AND t.version = mv.version' +
        ' AND t.key = $6 AND t.value LIKE $7)',
    );
    expect(values).toEqual(['m', 'runs:/%', ['ab'], 'cd', '1', 'src', 'run-2%', 1001, 0]);
  });

  it.each([
    [['version_number DESC'], 'mv.version DESC, mv.name ASC'],
    [['name ASC', 'version_number DESC'], 'mv.name ASC, mv.version DESC'],
    [['name ASC', 'version_number ASC'], 'mv.name ASC, mv.version ASC'],
    [['last_updated_timestamp DESC'], 'mv.last_updated_time DESC, mv.name ASC, mv.version DESC'],
    [['creation_timestamp'], 'mv.creation_time ASC, mv.name ASC, mv.version DESC'],
  ])('orders by %j with the name / version tie-breaks', (orderBy, order) => {
    expect(orderByOf(build({ orderBy }).text)).toBe(order);
  });
});
