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
function* emptySubtrees(leafIndices: ArrayLike<number>, treeSize: number): Generator<LeafRange> {
  // next: the first of the leaves not yet placed; every leaf left of the range popped has been.
  let next = 0;
  // Depth first, left before right: a range's left half and all below it come off the stack before its right half.
  const stack: LeafRange[] = [{ start: 0, end: treeSize }];
  while (stack.length > 0) {
    const { start, end } = stack.pop()!;
    const holds = next < leafIndices.length && leafIndices[next] < end;
    if (!holds) yield { start, end };
    else if (end - start === 1) next++;
    else {
      const middle = start + splitPoint(end - start);
      stack.push({ start: middle, end }, { start, end: middle });
    }
  }
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

/**
 * The stored nodes a multiproof for these leaves (ascending) in the tree of
 * `treeSize` needs, as consecutive requests of at most `subtrees` proof
 * hashes each: their answers, one after another, are the proof. Asked for
 * whole, a proof for every third leaf of a 1M-leaf log was 500,005 subtrees
 * and 148 MB of heap before a hash was read; in parts it takes what one part
 * needs.
 */
export function* multiproofRequests(
  leafIndices: ArrayLike<number>,
  treeSize: number,
  subtrees = 4096,
): Generator<NodeRequest<Uint8Array[]>> {
  assertLeaves(leafIndices, treeSize);
  let part: LeafRange[] = [];
  for (const range of emptySubtrees(leafIndices, treeSize)) {
    part.push(range);
    if (part.length === subtrees) {
      yield subtreeHashesRequest(part);
      part = [];
    }
  }
  if (part.length > 0) yield subtreeHashesRequest(part);
}

export interface MultiproofClaim {
  readonly treeSize: number;
  /** Strictly ascending. */
  readonly leafIndices: ArrayLike<number>;
  /** The leaves' hashes, 32 bytes each, in the order of `leafIndices`. */
  readonly leafHashes: Uint8Array;
  /** The proof's hashes, 32 bytes each, one after another. */
  readonly proof: Uint8Array;
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
  if (proof.length % HASH_SIZE !== 0)
    throw new IntegrityError(
      'WRONG_PROOF_LENGTH',
      `a proof is whole hashes of ${HASH_SIZE} bytes, not ${proof.length} bytes`,
    );
  const hashes = proof.length / HASH_SIZE;
  let next = 0;
  let used = 0;
  const subtree = (start: number, end: number): Uint8Array => {
    const holds = next < leafIndices.length && leafIndices[next] < end;
    if (!holds) {
      if (used === hashes)
        throw new IntegrityError(
          'WRONG_PROOF_LENGTH',
          `the proof ends after ${hashes} hashes; leaves [${start}, ${end}) need one more`,
        );
      return proof.subarray(used * HASH_SIZE, ++used * HASH_SIZE);
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
  if (used !== hashes)
    throw new IntegrityError(
      'WRONG_PROOF_LENGTH',
      `the proof has ${hashes} hashes; these leaves need ${used}: extra hashes were added`,
    );
  if (!bytesEqual(computed, root))
    throw new IntegrityError(
      'ROOT_MISMATCH',
      `the leaves and the proof hash to a root other than the tree head's: a leaf or a proof hash was altered, or a leaf index is wrong`,
    );
}
