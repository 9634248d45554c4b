export * from './canonical-json';
export * from './event-hash';
export * from './event-hash-template';
export { type ChainHead, type ChainedEnvelope, type UnchainedEnvelope, chainEvents } from './hash-chain';
export { IntegrityError, type IntegrityErrorCode } from './integrity-error';
export {
  HASH_SIZE,
  leafHash,
  nodeHash,
  emptyTreeRoot,
  eventLeafHash,
  hashFromHex,
  hashToHex,
  hashToBase64,
} from './merkle-hash';
export {
  type NodeAddress,
  type MerkleNode,
  type MerkleNodeReader,
  type NodeRequest,
  readNodes,
} from './merkle-nodes';
export {
  type Frontier,
  type AppendResult,
  emptyFrontier,
  appendLeaf,
  frontierRoot,
  frontierRequest,
} from './merkle-frontier';
export { rootRequest, inclusionProofRequest, consistencyProofRequest } from './merkle-proofs';
export {
  type InclusionClaim,
  type ConsistencyClaim,
  verifyInclusion,
  verifyConsistency,
  InclusionVerifier,
} from './merkle-verify';
export { InMemoryMerkleLog } from './in-memory-merkle-log';
export {
  type NoteSigner,
  type NoteVerifier,
  type NoteKeyPair,
  generateNoteKey,
  noteSigner,
  noteVerifier,
  isValidKeyName,
  formatKeyId,
} from './note-keys';
export { type NoteSignature, type VerifiedNote, signNote, verifyNote } from './signed-note';
export {
  type Checkpoint,
  type OpenedCheckpoint,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  openCheckpoint,
} from './checkpoint';
