import { bytesEqual } from './encoding';
import { IntegrityError } from './integrity-error';
import { assertHash, HASH_SIZE, nodeHash } from './merkle-hash';
import { type LeafRange, type NodeRequest, subtreeHashesRequest } from './merkle-nodes';
import { assertTreeSize, splitPoint } from './tree-size';

/*
 * One proof that many leaves are in a tree: the hashes of the RFC 9162
 * subtrees that hold none of them, left to right. A verifier holding the
 * leaves rebuilds every subtree that holds one of them and takes every other
 * subtree's hash from the proof, up to the root. A bundle that carries most
 * of a log's leaves then needs a handful of hashes, where one inclusion proof
 * per leaf needs log n each, and every node above a carried leaf is hashed
 * from the leaves themselves.
 */

/** The subtrees of the tree of `treeSize` leaves that hold none of `leafIndices` (ascending), left to right. */
function emptySubtrees(leafIndices: ArrayLike<number>, treeSize: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  // next: the first of the leaves not yet placed; every leaf before `start` has been.
  let next = 0;
  const walk = (start: number, end: number) => {
    const holds = next < leafIndices.length && leafIndices[next] < end;
    if (!holds) ranges.push({ start, end });
    else if (end - start === 1) next++;
    else {
      const middle = start + splitPoint(end - start);
      walk(start, middle);
      walk(middle, end);
    }
  };
  walk(0, treeSize);
  return ranges;
}

function assertLeaves(leafIndices: ArrayLike<number>, treeSize: number): void {
  assertTreeSize(treeSize, 'tree size');
  for (let i = 0; i < leafIndices.length; i++) {
    const leaf = leafIndices[i];
    if (!Number.isSafeInteger(leaf) || leaf < 0 || leaf >= treeSize)
      throw new IntegrityError(
        'OUT_OF_RANGE',
        `leaf index ${leaf} is not in a tree of ${treeSize} leaves (indices start at 0)`,
      );
    if (i > 0 && leaf <= leafIndices[i - 1])
      throw new IntegrityError(
        'OUT_OF_RANGE',
        `leaf index ${leaf} follows ${leafIndices[i - 1]}: the leaves must be strictly ascending`,
      );
  }
  if (leafIndices.length === 0)
    throw new IntegrityError('OUT_OF_RANGE', 'a multiproof proves at least one leaf');
}

/** The stored nodes a multiproof for these leaves (ascending) in the tree of `treeSize` needs. */
export function multiproofRequest(
  leafIndices: ArrayLike<number>,
  treeSize: number,
): NodeRequest<Uint8Array[]> {
  assertLeaves(leafIndices, treeSize);
  return subtreeHashesRequest(emptySubtrees(leafIndices, treeSize));
}

export interface MultiproofClaim {
  readonly treeSize: number;
  /** Strictly ascending. */
  readonly leafIndices: ArrayLike<number>;
  /** The leaves' hashes, 32 bytes each, in the order of `leafIndices`. */
  readonly leafHashes: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}

/** Throws IntegrityError unless the leaves and the proof hash up to `root`. */
export function verifyMultiproof({ treeSize, leafIndices, leafHashes, proof, root }: MultiproofClaim): void {
  assertLeaves(leafIndices, treeSize);
  assertHash(root, 'root');
  if (leafHashes.length !== leafIndices.length * HASH_SIZE)
    throw new IntegrityError(
      'WRONG_PROOF_LENGTH',
      `${leafIndices.length} leaves need ${leafIndices.length * HASH_SIZE} bytes of leaf hashes, not ${leafHashes.length}`,
    );
  proof.forEach((hash, i) => assertHash(hash, `proof hash ${i}`));
  let next = 0;
  let used = 0;
  const subtree = (start: number, end: number): Uint8Array => {
    const holds = next < leafIndices.length && leafIndices[next] < end;
    if (!holds) {
      if (used === proof.length)
        throw new IntegrityError(
          'WRONG_PROOF_LENGTH',
          `the proof ends after ${proof.length} hashes; leaves [${start}, ${end}) need one more`,
        );
      return proof[used++];
    }
    if (end - start === 1) {
      next++;
      return leafHashes.subarray((next - 1) * HASH_SIZE, next * HASH_SIZE);
    }
    const middle = start + splitPoint(end - start);
    const left = subtree(start, middle);
    return nodeHash(left, subtree(middle, end));
  };
  const computed = subtree(0, treeSize);
  if (used !== proof.length)
    throw new IntegrityError(
      'WRONG_PROOF_LENGTH',
      `the proof has ${proof.length} hashes; these leaves need ${used}: extra hashes were added`,
    );
  if (!bytesEqual(computed, root))
    throw new IntegrityError(
      'ROOT_MISMATCH',
      `the leaves and the proof hash to a root other than the tree head's: a leaf or a proof hash was altered, or a leaf index is wrong`,
    );
}
