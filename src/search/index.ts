/**
 * Kiln's search library: MLflow's filter / order_by grammar, the per-search rules, parameterised
 * SQL builders and page tokens. Pure TypeScript with no Nest or Prisma dependency; callers run the
 * returned `{ text, values }` themselves and map SearchSyntaxError to 400 INVALID_PARAMETER_VALUE.
 */
export { SearchSyntaxError } from './search-error';
export type {
  Clause,
  Comparator,
  EntityType,
  FilterValue,
  Identifier,
  OrderByTerm,
} from './filter-ast';
export { parseFilter, parseOrderByTerm } from './filter-parser';
export { parseRunFilter, parseRunOrderBy } from './run-search-rules';
export type { RunCondition, RunOrderKey } from './run-search-rules';
export { parseExperimentFilter, parseExperimentOrderBy } from './experiment-search-rules';
export {
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from './registered-model-search-rules';
export { parseModelVersionFilter, parseModelVersionOrderBy } from './model-version-search-rules';
export type { SqlQuery, SearchViewType } from './sql-builder';
export { planRunSearch } from './run-search-sql';
export type { RunSearchPlan, RunSearchPosition, RunSearchSqlInput } from './run-search-sql';
export { searchRunPage } from './run-search-pager';
export type { RunSearchPage, RunSearchRow } from './run-search-pager';
export { buildExperimentSearchSql } from './experiment-search-sql';
export type { ExperimentSearchSqlInput } from './experiment-search-sql';
export { buildRegisteredModelSearchSql } from './registered-model-search-sql';
export type { RegisteredModelSearchSqlInput } from './registered-model-search-sql';
export { buildModelVersionSearchSql } from './model-version-search-sql';
export type { ModelVersionSearchSqlInput } from './model-version-search-sql';
export {
  decodePageToken,
  decodeRunSearchToken,
  encodePageToken,
  encodeRunSearchToken,
} from './page-token';
