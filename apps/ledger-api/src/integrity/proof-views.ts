import { hashToBase64 } from '@ledger/integrity';
import type { ConsistencyProof, InclusionProof, StoredCheckpoint } from '@ledger/transparency-log';

/**
 * Proofs as HTTP and GraphQL both answer them, so a verifier reads either the
 * same way. Hashes are standard base64, as in the checkpoint's root line;
 * `eventHash` stays hex, as stored in the event; positions are decimal strings.
 */
export function inclusionProofView(proof: InclusionProof) {
  return {
    eventId: proof.eventId,
    position: proof.position.toString(),
    eventHash: proof.eventHash,
    leafIndex: proof.leafIndex,
    leafHash: hashToBase64(proof.leafHash),
    treeSize: proof.treeSize,
    rootHash: hashToBase64(proof.rootHash),
    proof: proof.proof.map(hashToBase64),
    checkpoint: proof.checkpoint,
  };
}

export function consistencyProofView(proof: ConsistencyProof) {
  return {
    from: proof.fromSize,
    to: proof.toSize,
    fromRoot: hashToBase64(proof.fromRoot),
    toRoot: hashToBase64(proof.toRoot),
    proof: proof.proof.map(hashToBase64),
    fromCheckpoint: proof.fromCheckpoint,
    toCheckpoint: proof.toCheckpoint,
  };
}

export function checkpointView(checkpoint: StoredCheckpoint) {
  return {
    note: checkpoint.note,
    treeSize: checkpoint.treeSize,
    rootHash: hashToBase64(checkpoint.rootHash),
    keyId: checkpoint.keyId,
  };
}
