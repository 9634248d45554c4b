export {
  openReadStore,
  migrateModule,
  type ReadStore,
  type ReadStoreKind,
  type ReadStoreOptions,
} from './read-store';
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
export {
  LedgerKeys,
  LedgerKeyError,
  parseVerifierKeys,
  SIGNING_KEY_FILE,
  VERIFIER_KEYS_FILE,
  type LedgerKeysOptions,
} from './merkle-log/ledger-keys';
export { MerkleSealer, type MerkleSealerOptions } from './merkle-log/merkle-sealer';
export { MerkleLog, type MerkleLogOptions } from './merkle-log/merkle-log';
export {
  MerkleProofService,
  ProofRequestError,
  noteText,
  type ProofRequestErrorCode,
  type InclusionProof,
  type ConsistencyProof,
  type StoredCheckpoint,
} from './merkle-log/merkle-proofs';
export { MerkleStoreDamagedError } from './merkle-log/merkle-node-store';
export {
  fileWitness,
  httpWitness,
  parseWitnesses,
  WitnessPublisher,
  WitnessConflictError,
  type WitnessTarget,
} from './merkle-log/witnesses';
export type {
  MerkleTables,
  CheckpointTable,
  MerkleNodesTable,
  MerkleLeavesTable,
  MerkleCheckpointsTable,
} from './merkle-log/merkle-tables';
export {
  dataAccessProjection,
  PROJECTIONS,
  registryProjection,
  type ReadDb,
  type RegistryTables,
} from './projections';
export {
  projectionConsumer,
  utc,
  type ProjectionConsumer,
  type ProjectionDefinition,
} from './projection/projection';
export { TableSuffixPlugin } from './projection/table-suffix-plugin';
export { timelineProjection } from './timeline/timeline-projection';
export type { TimelineTables } from './timeline/timeline-tables';
export { findTimeline, type TimelineFilter } from './timeline/timeline-queries';
export type { DataAccessTables } from './data-access/data-access-tables';
export { findDataAccess, type DataAccessFilter, type DataAccessRow } from './data-access/data-access-queries';
export {
  findSystem,
  findSystems,
  systemCursor,
  systemDetails,
  type SystemFilter,
  type SystemRow,
} from './systems/systems-queries';
export { holdingsAt, type RoleHolding } from './accountability/accountability-queries';
export { liveVersionAt } from './live-versions/live-versions-queries';
export { findModelVersion } from './model-versions/model-versions-queries';
export {
  complianceFindings,
  COMPLIANCE_RULES,
  durationMs,
  type ComplianceFinding,
  type CompliancePolicy,
  type ComplianceRule,
  type FindingFilter,
} from './compliance/compliance-findings';
export { decodeCursor, encodeCursor, parseJson, QueryInputError, type Page, type PageResult } from './pages';
export {
  verifyLedger,
  type Damage,
  type DamageKind,
  type VerifyOptions,
  type VerifyReport,
} from './merkle-log/ledger-verifier';
export { rebuildProjection, type RebuildProgress, type RebuildResult } from './rebuild';
