/*
 * The read store: the SQL database (SQLite or PostgreSQL) that holds whatever
 * is derived from the event store, and the checkpointed catch-up runner that
 * keeps each consumer of the global order in step with it. Projections
 * (@ledger/read-models) and the transparency log (@ledger/transparency-log)
 * are both consumers; this lib knows neither, so each depends on it alone.
 */
export {
  openReadStore,
  migrateModule,
  type ReadStore,
  type ReadStoreKind,
  type ReadStoreOptions,
} from './read-store';
export {
  ProjectionRunner,
  ProjectionStoppedError,
  type Consumer,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
  type RunnerLogger,
} from './runner/projection-runner';
export type { CheckpointTables, ProjectionCheckpointsTable } from './runner/projection-checkpoints';
