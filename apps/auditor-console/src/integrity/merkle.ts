import { type Bytes, equal, fromBase64, fromHex, sha256, toBase64 } from './bytes';

/*
 * RFC 9162 inclusion proofs, checked in the browser so that an auditor need
 * not trust the server's own "verified": leaf = SHA-256(0x00 || event hash),
 * node = SHA-256(0x01 || left || right), the path folded as in §2.1.3.2.
 */

export const leafHash = (eventHash: Bytes): Promise<Bytes> => sha256(Uint8Array.of(0), eventHash);
export const nodeHash = (left: Bytes, right: Bytes): Promise<Bytes> => sha256(Uint8Array.of(1), left, right);

/** The root the proof leads to, or an Error saying why the proof cannot be right for this index and size. */
export async function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leaf: Bytes,
  proof: readonly Bytes[],
): Promise<Bytes> {
  if (
    !Number.isSafeInteger(leafIndex) ||
    !Number.isSafeInteger(treeSize) ||
    leafIndex < 0 ||
    leafIndex >= treeSize
  ) {
    throw new Error(`leaf index ${leafIndex} is not in a tree of ${treeSize} leaves`);
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let hash = leaf;
  for (const sibling of proof) {
    if (sn === 0)
      throw new Error(
        `the proof has more hashes than a tree of ${treeSize} leaves needs for leaf ${leafIndex}`,
      );
    if (fn % 2 === 1 || fn === sn) {
      hash = await nodeHash(sibling, hash);
      // The last node of a level has no right sibling: climb until it is a right child again.
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else {
      hash = await nodeHash(hash, sibling);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  if (sn !== 0)
    throw new Error(
      `the proof has fewer hashes than a tree of ${treeSize} leaves needs for leaf ${leafIndex}`,
    );
  return hash;
}

/** As GET /v1/proofs/inclusion answers: hashes in base64, the event hash in hex. */
export interface InclusionProof {
  eventId: string;
  position: string;
  eventHash: string;
  leafIndex: number;
  leafHash: string;
  treeSize: number;
  rootHash: string;
  proof: string[];
  checkpoint: string;
}

export interface InclusionCheck {
  /** The leaf hash computed here from the event hash, base64. */
  leafHash: string;
  leafHashMatchesServer: boolean;
  /** The root computed here from the leaf and the proof, base64. */
  computedRoot: string;
  /** Whether the computed root is the one the signed checkpoint names. */
  matchesCheckpointRoot: boolean;
  error?: string;
}

/** Recomputes everything from the event hash, trusting only the checkpoint's root (whose signature is checked separately). */
export async function checkInclusion(
  proof: InclusionProof,
  checkpointRootBase64: string,
): Promise<InclusionCheck> {
  const leaf = await leafHash(fromHex(proof.eventHash));
  const base = { leafHash: toBase64(leaf), leafHashMatchesServer: toBase64(leaf) === proof.leafHash };
  try {
    const root = await rootFromInclusionProof(
      proof.leafIndex,
      proof.treeSize,
      leaf,
      proof.proof.map(fromBase64),
    );
    return {
      ...base,
      computedRoot: toBase64(root),
      matchesCheckpointRoot: equal(root, fromBase64(checkpointRootBase64)),
    };
  } catch (error) {
    return { ...base, computedRoot: '', matchesCheckpointRoot: false, error: (error as Error).message };
  }
}
