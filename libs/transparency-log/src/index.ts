/*
 * The transparency log: an RFC 9162 Merkle log over the event store's global
 * order, sealed by a consumer of the checkpointed runner, with C2SP signed
 * checkpoints, inclusion and consistency proofs, witnesses, the ledger's note
 * keys, and the verifier that re-derives all of it from the store. It keeps
 * its tables in the read store but is not a read model: it depends on
 * @ledger/read-store and never on the projections.
 */
export {
  DEFAULT_ROTATION_OVERLAP_DAYS,
  LedgerKeys,
  LedgerKeyError,
  MissingLedgerKeyError,
  parseVerifierKeys,
  SIGNING_KEY_FILE,
  VERIFIER_KEYS_FILE,
  type LedgerKeysOptions,
} from './ledger-keys';
export { MerkleSealer, type MerkleSealerOptions } from './merkle-sealer';
export { MerkleLog, type MerkleLogOptions } from './merkle-log';
export {
  MerkleProofService,
  ProofRequestError,
  noteText,
  type ProofRequestErrorCode,
  type InclusionProof,
  type ConsistencyProof,
  type StoredCheckpoint,
} from './merkle-proofs';
export { MerkleStoreDamagedError } from './merkle-node-store';
export { CheckpointTimestamper, checkpointTimestamp, type TimestampStatus } from './checkpoint-timestamps';
export {
  fileWitness,
  httpWitness,
  parseWitnesses,
  WitnessPublisher,
  WitnessConflictError,
  type WitnessStatus,
  type WitnessTarget,
} from './witnesses';
export {
  parseTlogWitnesses,
  TlogWitnessClient,
  type TlogWitness,
  type TlogWitnessStatus,
  type WitnessConflict,
} from './tlog-witness-client';
export {
  WitnessServer,
  MAX_REQUEST_BYTES,
  type WitnessedLog,
  type WitnessServerOptions,
} from './witness-server';
export type {
  MerkleTables,
  CheckpointTable,
  MerkleNodesTable,
  MerkleLeavesTable,
  MerkleCheckpointsTable,
} from './merkle-tables';
export {
  verifyLedger,
  type Damage,
  type DamageKind,
  type VerifyOptions,
  type VerifyReport,
} from './ledger-verifier';
