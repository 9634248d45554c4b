export { openReadStore, migrateModule, type ReadStore, type ReadStoreKind, type ReadStoreOptions } from './read-store';
export { batches } from './runner/batches';
export {
  ProjectionRunner,
  ProjectionStoppedError,
  type Consumer,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
  type RunnerLogger,
} from './runner/projection-runner';
export type { CheckpointTables, ProjectionCheckpointsTable } from './runner/projection-checkpoints';
