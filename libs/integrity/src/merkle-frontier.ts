import { IntegrityError } from './integrity-error';
import { assertHash, emptyTreeRoot, nodeHash } from './merkle-hash';
import { foldPerfectSubtrees, MerkleNode, NodeAddress, NodeRequest, perfectSubtrees } from './merkle-nodes';
import { assertTreeSize, countOneBits, half, isOdd } from './tree-size';

/**
 * The right edge of a log of `size` leaves: the roots of its perfect
 * subtrees, widest first, one per set bit of `size` (a "compact range" over
 * [0, size)). It is all the sealer needs in memory to append a leaf and to
 * compute the root: O(log n) hashes, never the whole tree.
 */
export interface Frontier {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

export function emptyFrontier(): Frontier {
  return { size: 0, hashes: [] };
}

export interface AppendResult {
  readonly frontier: Frontier;
  /**
   * The perfect subtrees this leaf completed, lowest first: the leaf itself
   * (level 0) and each parent it closed. Persist every one of them; they are
   * final, and together they answer every later proof.
   */
  readonly completed: readonly MerkleNode[];
}

/** Appends one leaf hash with at most log2(n) node hashes. */
export function appendLeaf(frontier: Frontier, leafHash: Uint8Array): AppendResult {
  // Its shape, not every hash: a hash is checked where it is used (nodeHash, frontierRoot), and one
  // walk over the whole frontier per leaf cost more than the leaf's own hashing.
  assertShape(frontier);
  assertHash(leafHash, 'leaf hash');
  const hashes = [...frontier.hashes];
  let index = frontier.size;
  let level = 0;
  let hash = leafHash;
  const completed: MerkleNode[] = [{ level, index, hash }];
  // Each trailing one bit of the old size is a perfect subtree waiting for a right sibling of its own width.
  while (isOdd(index)) {
    hash = nodeHash(hashes.pop() as Uint8Array, hash);
    index = half(index);
    level++;
    completed.push({ level, index, hash });
  }
  hashes.push(hash);
  return { frontier: { size: frontier.size + 1, hashes }, completed };
}

/** The RFC 9162 root (MTH) of the log the frontier describes. */
export function frontierRoot(frontier: Frontier): Uint8Array {
  assertFrontier(frontier);
  return frontier.size === 0 ? emptyTreeRoot() : foldPerfectSubtrees(frontier.hashes);
}

/** Rebuilds the frontier of a stored log of `size` leaves, e.g. when the sealer restarts. */
export function frontierRequest(size: number): NodeRequest<Frontier> {
  assertTreeSize(size, 'tree size');
  const nodes: NodeAddress[] = perfectSubtrees({ start: 0, end: size });
  return {
    nodes,
    assemble(hashes) {
      if (hashes.length !== nodes.length) {
        throw new IntegrityError(
          'MALFORMED_NODES',
          `a frontier of size ${size} needs ${nodes.length} node hashes, was given ${hashes.length}`,
        );
      }
      const frontier = { size, hashes: [...hashes] };
      assertFrontier(frontier);
      return frontier;
    },
  };
}

function assertFrontier(frontier: Frontier): void {
  assertShape(frontier);
  frontier.hashes.forEach((hash, i) => assertHash(hash, `frontier hash ${i}`));
}

function assertShape(frontier: Frontier): void {
  assertTreeSize(frontier.size, 'frontier size');
  const expected = countOneBits(frontier.size);
  if (frontier.hashes.length !== expected) {
    throw new IntegrityError(
      'MALFORMED_NODES',
      `a frontier of size ${frontier.size} holds ${expected} hashes, not ${frontier.hashes.length}`,
    );
  }
}
