import {
  buildRegisteredModelSearchSql,
  RegisteredModelSearchSqlInput,
} from './registered-model-search-sql';

const build = (overrides: Partial<RegisteredModelSearchSqlInput> = {}) =>
  buildRegisteredModelSearchSql({ offset: 0, limit: 101, ...overrides });

const orderByOf = (text: string) => /ORDER BY (.*)\n/.exec(text)?.[1];

describe('buildRegisteredModelSearchSql', () => {
  it('lists models by name by default', () => {
    expect(build()).toEqual({
      text: [
        'SELECT rm.name',
        'FROM registered_models rm',
        'ORDER BY rm.name ASC',
        'LIMIT $1 OFFSET $2',
      ].join('\n'),
      values: [101, 0],
    });
  });

  it('compiles name and tag clauses', () => {
    const { text, values } = build({ filter: "name ILIKE '%alpha%' and tags.domain = 'vision'" });
    expect(text).toContain('WHERE rm.name ILIKE $1\n');
    expect(text).toContain(
      'EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = rm.name AND t.key = $2 AND t.value = $3)',
    );
    expect(values).toEqual(['%alpha%', 'domain', 'vision', 101, 0]);
  });

  it.each([
    [['name DESC'], 'rm.name DESC'],
    [['timestamp DESC'], 'rm.last_updated_time DESC, rm.name ASC'],
    [['last_updated_timestamp'], 'rm.last_updated_time ASC, rm.name ASC'],
  ])('orders by %j with the name tie-break', (orderBy, order) => {
    expect(orderByOf(build({ orderBy }).text)).toBe(order);
  });
});
