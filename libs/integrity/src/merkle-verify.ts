import { bytesEqual } from './encoding';
import { IntegrityError } from './integrity-error';
import { assertHash, emptyTreeRoot, nodeHash } from './merkle-hash';
import { assertLeafInTree, assertTreeSize, half, isOdd } from './tree-size';

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
  new InclusionVerifier(treeSize, root).verify(leafIndex, leafHash, proof);
}

/**
 * Verifies inclusion proofs against one tree head, as verifyInclusion does,
 * for a verifier that checks many: an evidence bundle carries one proof per
 * event, each about log n hashes. Proofs of neighbouring leaves share all but
 * their lowest levels, so it remembers the last proof that held: once a proof
 * reaches the very node that one reached and its remaining hashes and turns
 * are the same, the rest of its path is that proof's path, which led to the
 * root. Every hash of every proof is still compared; only the repeated
 * hashing is spared, so a proof of leaf i costs about one node hash, not log n.
 */
export class InclusionVerifier {
  /** The last proof that held: its turns, its hashes, and the node below each (nodes[i] is combined with proof[i]). */
  private last?: { siblingIsLeft: boolean[]; proof: readonly Uint8Array[]; nodes: Uint8Array[] };

  constructor(
    private readonly treeSize: number,
    private readonly root: Uint8Array,
  ) {}

  verify(leafIndex: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): void {
    const { treeSize, root } = this;
    assertLeafInTree(leafIndex, treeSize);
    assertHash(leafHash, 'leaf hash');
    assertHash(root, 'root hash');
    const siblingIsLeft = inclusionPathShape(leafIndex, treeSize);
    assertProofLength(proof, siblingIsLeft.length, `leaf ${leafIndex} of a tree of ${treeSize} leaves`);

    // Paths are compared from the root down: `shared` top steps have the same turns and the same hashes.
    const last = this.last;
    let shared = 0;
    if (last) {
      const lastLength = last.proof.length;
      const length = proof.length;
      while (
        shared < length &&
        shared < lastLength &&
        siblingIsLeft[length - 1 - shared] === last.siblingIsLeft[lastLength - 1 - shared] &&
        bytesEqual(proof[length - 1 - shared], last.proof[lastLength - 1 - shared])
      )
        shared++;
    }
    const nodes: Uint8Array[] = [];
    let hash = leafHash;
    for (let i = 0; i < proof.length; i++) {
      if (last && i === proof.length - shared && bytesEqual(hash, last.nodes[last.proof.length - shared])) {
        // The same node, climbing the same way past the same hashes: the rest is the last path, which held.
        this.last = {
          siblingIsLeft,
          proof,
          nodes: [...nodes, ...last.nodes.slice(last.proof.length - shared)],
        };
        return;
      }
      nodes.push(hash);
      hash = siblingIsLeft[i] ? nodeHash(proof[i], hash) : nodeHash(hash, proof[i]);
    }
    if (!bytesEqual(hash, root)) {
      throw new IntegrityError(
        'ROOT_MISMATCH',
        `the inclusion proof for leaf ${leafIndex} does not lead to the root of the tree of ${treeSize} leaves`,
      );
    }
    nodes.push(hash);
    this.last = { siblingIsLeft, proof, nodes };
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
