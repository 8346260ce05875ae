import * as search from './index';

describe('src/search public API', () => {
  it('exports the builders, the page token helpers and the error class', () => {
    for (const name of [
      'planRunSearch',
      'searchRunPage',
      'buildExperimentSearchSql',
      'buildRegisteredModelSearchSql',
      'buildModelVersionSearchSql',
      'encodePageToken',
      'decodePageToken',
      'encodeRunSearchToken',
      'decodeRunSearchToken',
      'parseFilter',
      'parseOrderByTerm',
      'parseRunFilter',
      'parseRunOrderBy',
      'parseExperimentFilter',
      'parseExperimentOrderBy',
      'parseRegisteredModelFilter',
      'parseRegisteredModelOrderBy',
      'parseModelVersionFilter',
      'parseModelVersionOrderBy',
    ]) {
      expect(typeof (search as Record<string, unknown>)[name]).toBe('function');
    }
    expect(new search.SearchSyntaxError('x')).toBeInstanceOf(Error);
  });
});
