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
export * from './projections';
export * from './queries';
export {
  verifyLedger,
  type Damage,
  type DamageKind,
  type VerifyOptions,
  type VerifyReport,
} from './merkle-log/ledger-verifier';
export { rebuildProjection, type RebuildProgress, type RebuildResult } from './rebuild';
