export * from './types';
export * from './errors';
export { withSpanFor, type WithSpan } from './tracing';
export { AppendNotifier } from './append-notifier';
export { cachedStatementsDialect } from './sqlite/cached-statements';
export { limitPageCache } from './sqlite/page-cache';
export { inImmediateTransaction } from './sqlite/immediate-transaction';
export { SQLITE_EVENT_ROWS_MODULE, SqliteEventRows } from './sqlite/event-rows';
export { WalCheckpointThread, type WalCheckpointThreadOptions } from './sqlite/wal-checkpoints';
export {
  SqliteEventStore,
  type SqliteEventStoreOptions,
  type SqliteSynchronous,
} from './sqlite/sqlite-event-store';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
export { pg } from './postgres/pg-runtime';
export { migrationFailure } from './sql/schema';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './eventstoredb/eventstoredb-event-store';
export { HistoryAtRiskError } from './eventstoredb/retention-guard';
export { hashedEnvelopeOf } from './sealing';
