/** The store: Kysely on SQLite or PostgreSQL, its schema, migrations and the query helpers. The front door of db/. */
export {
  isUniqueViolation,
  inTransaction,
  onPostgres,
  migrateToLatest,
  openSqlite,
  openSqliteWriter,
  openStore,
  type Db,
  type Engine,
  type Store,
  type StoreOptions,
} from './store';
export { afterCommit } from './after-commit';
export { ownGroup } from './group-commit';
export { isDatabaseUnavailable } from './unavailable';
export { checkStore } from './readiness';
export { startAhead } from './read-ahead';
export { CONFIG_CACHE_MS, forgetAfterCommit, forgetRemembered, ShortMemory } from './short-memory';
export { describeSchemaMismatch, schemaStatus, type SchemaStatus } from './schema-status';
export { opaqueParameters, type Parameter } from './opaque-parameters';
export {
  columnParams,
  definedColumns,
  insertRow,
  insertRows,
  insertRowsLater,
  preparedQuery,
  preparedShapes,
  type PreparedQuery,
} from './prepared-query';
export type { Database } from './schema';
export type * from './schema';
