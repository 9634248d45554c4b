export * from './canonical-json';
export * from './event-hash';
export * from './event-hash-template';
export * from './erasable';
export { type ChainHead, type ChainedEnvelope, type UnchainedEnvelope, chainEvents } from './hash-chain';
export { isSha256Hex } from './encoding';
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
  hashFromBase64,
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
export { type MultiproofClaim, multiproofRequests, verifyMultiproof } from './merkle-multiproof';
export { InMemoryMerkleLog } from './in-memory-merkle-log';
export {
  type NoteSigner,
  type NoteVerifier,
  type NoteKeyPair,
  generateNoteKey,
  generateCosignatureKey,
  noteSigner,
  noteVerifier,
  cosignatureSigner,
  cosignatureVerifier,
  isValidKeyName,
  formatKeyId,
} from './note-keys';
export { type NoteSignature, type VerifiedNote, signNote, verifyNote } from './signed-note';
export {
  type Cosignature,
  type WitnessPolicy,
  type WitnessPolicyResult,
  checkWitnessPolicy,
  witnessPolicy,
  cosign,
  cosignatureMessage,
  verifyCosignatures,
} from './cosignature';
export {
  type Checkpoint,
  type OpenedCheckpoint,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  openCheckpoint,
} from './checkpoint';
export {
  type StampedTime,
  type TimestampCheck,
  type TimestampRequest,
  timestampedText,
  timestampRequest,
  timestampFromResponse,
  verifyTimestampToken,
} from './timestamp-token';
