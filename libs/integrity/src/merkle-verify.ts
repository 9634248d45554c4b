import { bytesEqual } from './encoding';
import { IntegrityError } from './integrity-error';
import { assertHash, emptyTreeRoot, nodeHash } from './merkle-hash';
import { assertTreeSize, half, isOdd } from './tree-size';

/*
 * Proof verification, RFC 9162 §2.1.3.2 and §2.1.4.2. Both functions return
 * nothing when the proof holds and throw IntegrityError otherwise. They check
 * every input before hashing anything (sizes, index, hash lengths, and the
 * exact number of proof hashes the sizes call for) so that no malformed proof
 * reaches the arithmetic, where a forgery could hide.
 *
 * A tree size only shapes the path (leaf 0 climbs the same way in trees of 5
 * and 6 leaves); what binds a size to a root is the signed checkpoint. Take
 * both from one verified checkpoint, never from the party offering the proof.
 */

export interface InclusionClaim {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** The leaf's hash: `eventLeafHash(event.integrity.hash)` for a ledger event. */
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}

export function verifyInclusion({ leafIndex, treeSize, leafHash, proof, root }: InclusionClaim): void {
  assertTreeSize(leafIndex, 'leaf index');
  assertTreeSize(treeSize, 'tree size');
  if (leafIndex >= treeSize) {
    throw new IntegrityError(
      'OUT_OF_RANGE',
      `leaf index ${leafIndex} is not in a tree of ${treeSize} leaves (indices start at 0)`,
    );
  }
  assertHash(leafHash, 'leaf hash');
  assertHash(root, 'root hash');
  const siblingIsLeft = inclusionPathShape(leafIndex, treeSize);
  assertProofLength(proof, siblingIsLeft.length, `leaf ${leafIndex} of a tree of ${treeSize} leaves`);

  let hash = leafHash;
  proof.forEach((sibling, i) => {
    hash = siblingIsLeft[i] ? nodeHash(sibling, hash) : nodeHash(hash, sibling);
  });
  if (!bytesEqual(hash, root)) {
    throw new IntegrityError(
      'ROOT_MISMATCH',
      `the inclusion proof for leaf ${leafIndex} does not lead to the root of the tree of ${treeSize} leaves`,
    );
  }
}

/** For each proof hash, whether it sits left of the path from the leaf to the root. */
function inclusionPathShape(leafIndex: number, treeSize: number): boolean[] {
  const siblingIsLeft: boolean[] = [];
  let fn = leafIndex;
  let sn = treeSize - 1;
  while (sn > 0) {
    if (isOdd(fn) || fn === sn) {
      siblingIsLeft.push(true);
      // The last node of a level has no right sibling: climb until it is a right child again.
      while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      siblingIsLeft.push(false);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return siblingIsLeft;
}

export interface ConsistencyClaim {
  readonly oldSize: number;
  readonly newSize: number;
  readonly oldRoot: Uint8Array;
  readonly newRoot: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

export function verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof }: ConsistencyClaim): void {
  assertTreeSize(oldSize, 'old tree size');
  assertTreeSize(newSize, 'new tree size');
  if (oldSize > newSize) {
    throw new IntegrityError(
      'OUT_OF_RANGE',
      `a log of ${oldSize} leaves cannot be a prefix of one of ${newSize}; give the older, smaller size first`,
    );
  }
  assertHash(oldRoot, 'old root hash');
  assertHash(newRoot, 'new root hash');

  if (oldSize === newSize || oldSize === 0) {
    assertProofLength(proof, 0, `trees of ${oldSize} and ${newSize} leaves`);
    if (oldSize === 0 && !bytesEqual(oldRoot, emptyTreeRoot())) {
      throw new IntegrityError('ROOT_MISMATCH', 'the old root is not the root of the empty tree');
    }
    if (oldSize === newSize && !bytesEqual(oldRoot, newRoot)) {
      throw new IntegrityError('ROOT_MISMATCH', `two trees of ${oldSize} leaves have different roots`);
    }
    return;
  }

  const { oldRootIsImplicit, steps } = consistencyPathShape(oldSize, newSize);
  assertProofLength(
    proof,
    steps.length + (oldRootIsImplicit ? 0 : 1),
    `trees of ${oldSize} and ${newSize} leaves`,
  );

  // When the old tree is perfect its root is a node of the new tree, so the proof leaves it out.
  const path = oldRootIsImplicit ? [oldRoot, ...proof] : proof;
  let oldHash = path[0];
  let newHash = path[0];
  steps.forEach((step, i) => {
    const hash = path[i + 1];
    if (step === 'left-of-both') {
      oldHash = nodeHash(hash, oldHash);
      newHash = nodeHash(hash, newHash);
    } else {
      newHash = nodeHash(newHash, hash);
    }
  });
  if (!bytesEqual(oldHash, oldRoot)) {
    throw new IntegrityError(
      'ROOT_MISMATCH',
      `the consistency proof does not lead to the given root of the tree of ${oldSize} leaves`,
    );
  }
  if (!bytesEqual(newHash, newRoot)) {
    throw new IntegrityError(
      'ROOT_MISMATCH',
      `the consistency proof does not lead to the given root of the tree of ${newSize} leaves`,
    );
  }
}

type ConsistencyStep = 'left-of-both' | 'right-of-new-only';

/** How each proof hash after the first combines, per RFC 9162 §2.1.4.2; 0 < oldSize < newSize. */
function consistencyPathShape(
  oldSize: number,
  newSize: number,
): { oldRootIsImplicit: boolean; steps: ConsistencyStep[] } {
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // fn is all ones exactly when oldSize is a power of two.
  while (isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
  const oldRootIsImplicit = fn === 0;
  const steps: ConsistencyStep[] = [];
  while (sn > 0) {
    if (isOdd(fn) || fn === sn) {
      steps.push('left-of-both');
      while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      steps.push('right-of-new-only');
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return { oldRootIsImplicit, steps };
}

function assertProofLength(proof: readonly Uint8Array[], expected: number, of: string): void {
  if (!Array.isArray(proof))
    throw new IntegrityError('WRONG_PROOF_LENGTH', `a proof must be a list of hashes, got ${typeof proof}`);
  if (proof.length !== expected) {
    throw new IntegrityError(
      'WRONG_PROOF_LENGTH',
      `the proof for ${of} must hold ${expected} hashes, it holds ${proof.length}`,
    );
  }
  proof.forEach((hash, i) => assertHash(hash, `proof hash ${i}`));
}
