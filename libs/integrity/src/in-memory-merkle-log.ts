import { IntegrityError } from './integrity-error';
import { appendLeaf, emptyFrontier, Frontier, frontierRoot } from './merkle-frontier';
import { MerkleNodeReader, readNodes } from './merkle-nodes';
import { consistencyProofRequest, inclusionProofRequest, rootRequest } from './merkle-proofs';
import { assertTreeSize } from './tree-size';

/**
 * A whole Merkle log held in memory, built with the same appender and proof
 * requests a persistent sealer uses. For re-deriving a log from the events
 * (`govledger verify`, the offline bundle verifier) and for tests.
 */
export class InMemoryMerkleLog implements MerkleNodeReader {
  private frontier: Frontier = emptyFrontier();
  /** levels[L][i]: the perfect subtree at level L, index i. */
  private readonly levels: Uint8Array[][] = [];

  get size(): number {
    return this.frontier.size;
  }

  append(leafHash: Uint8Array): void {
    const { frontier, completed } = appendLeaf(this.frontier, leafHash);
    for (const { level, index, hash } of completed) (this.levels[level] ??= [])[index] = hash;
    this.frontier = frontier;
  }

  node(level: number, index: number): Uint8Array {
    const hash = this.levels[level]?.[index];
    if (!hash)
      throw new IntegrityError(
        'OUT_OF_RANGE',
        `no complete subtree at level ${level}, index ${index} in a log of ${this.size} leaves`,
      );
    return hash;
  }

  /** The root at `treeSize` (default: now). */
  root(treeSize = this.size): Uint8Array {
    this.assertWithin(treeSize);
    return treeSize === this.size ? frontierRoot(this.frontier) : readNodes(rootRequest(treeSize), this);
  }

  proveInclusion(leafIndex: number, treeSize = this.size): Uint8Array[] {
    this.assertWithin(treeSize);
    return readNodes(inclusionProofRequest(leafIndex, treeSize), this);
  }

  proveConsistency(oldSize: number, newSize = this.size): Uint8Array[] {
    this.assertWithin(newSize);
    return readNodes(consistencyProofRequest(oldSize, newSize), this);
  }

  private assertWithin(treeSize: number): void {
    assertTreeSize(treeSize, 'tree size');
    if (treeSize > this.size)
      throw new IntegrityError(
        'OUT_OF_RANGE',
        `the log holds ${this.size} leaves; it has no tree of ${treeSize}`,
      );
  }
}
