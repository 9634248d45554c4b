import fc from 'fast-check';
import { IntegrityError } from './integrity-error';
import { InMemoryMerkleLog } from './in-memory-merkle-log';
import { appendLeaf, emptyFrontier, Frontier, frontierRequest, frontierRoot } from './merkle-frontier';
import { emptyTreeRoot, leafHash, nodeHash } from './merkle-hash';
import { MerkleNode, MerkleNodeReader, readNodes } from './merkle-nodes';
import { consistencyProofRequest, inclusionProofRequest, rootRequest } from './merkle-proofs';
import { verifyConsistency, verifyInclusion } from './merkle-verify';

/*
 * RFC 9162 §2.1 written out literally, over a plain list of leaf hashes: slow,
 * obviously right, and sharing no code with the lib's node-based version.
 */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return emptyTreeRoot();
  if (leaves.length === 1) return leaves[0];
  const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length === 1) return [];
  const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}
function subproof(m: number, leaves: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === leaves.length) return b ? [] : [mth(leaves)];
  const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), b), mth(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

/** Proofs compared as hex: the same bytes, and jest compares a string far faster than a Uint8Array byte by byte. */
const hex = (proof: readonly Uint8Array[]) => proof.map((hash) => Buffer.from(hash).toString('hex'));

const LEAVES = Array.from({ length: 140 }, (_, i) => leafHash(Uint8Array.of(i, i >> 8)));

/** A store as the sealer would keep one: every completed node, keyed by level and index. */
class NodeTable implements MerkleNodeReader {
  readonly rows = new Map<string, Uint8Array>();
  frontier: Frontier = emptyFrontier();
  append(leaf: Uint8Array): readonly MerkleNode[] {
    const { frontier, completed } = appendLeaf(this.frontier, leaf);
    for (const { level, index, hash } of completed) {
      const key = `${level}/${index}`;
      if (this.rows.has(key)) throw new Error(`node ${key} written twice`);
      this.rows.set(key, hash);
    }
    this.frontier = frontier;
    return completed;
  }
  node(level: number, index: number): Uint8Array {
    const hash = this.rows.get(`${level}/${index}`);
    if (!hash) throw new Error(`node ${level}/${index} was never written`);
    return hash;
  }
}

const table = new NodeTable();
LEAVES.forEach((leaf) => table.append(leaf));

describe('the sealer appending to a persisted log', () => {
  it('writes each completed subtree exactly once, at most log2(n) + 1 nodes per event, about 2n in all', () => {
    const fresh = new NodeTable();
    LEAVES.forEach((leaf, i) =>
      expect(fresh.append(leaf).length).toBeLessThanOrEqual(Math.floor(Math.log2(i + 1)) + 1),
    );
    expect(fresh.rows.size).toBe(
      2 * LEAVES.length - [...LEAVES.length.toString(2)].filter((bit) => bit === '1').length,
    );
  });

  it('has, after every append, the root the RFC defines for the leaves so far', () => {
    let frontier = emptyFrontier();
    LEAVES.forEach((leaf, i) => {
      frontier = appendLeaf(frontier, leaf).frontier;
      expect(frontierRoot(frontier)).toEqual(mth(LEAVES.slice(0, i + 1)));
    });
  });

  it('restarts from stored nodes alone: the rebuilt frontier appends exactly as the one in memory', () => {
    for (const size of [0, 1, 2, 3, 64, 97, 139]) {
      const prefix = new NodeTable();
      LEAVES.slice(0, size).forEach((leaf) => prefix.append(leaf));
      const rebuilt = readNodes(frontierRequest(size), prefix);
      expect(rebuilt).toEqual(prefix.frontier);
      expect(appendLeaf(rebuilt, LEAVES[size])).toEqual(appendLeaf(prefix.frontier, LEAVES[size]));
    }
  });

  it('answers the root of any earlier tree size from stored nodes', () => {
    for (let size = 0; size <= LEAVES.length; size++)
      expect(readNodes(rootRequest(size), table)).toEqual(mth(LEAVES.slice(0, size)));
  });

  it('refuses a frontier that does not fit its size, or a leaf that is not a hash', () => {
    const frontier = readNodes(frontierRequest(6), table);
    expect(() => appendLeaf({ size: 7, hashes: frontier.hashes }, LEAVES[7])).toThrow(IntegrityError);
    expect(() => appendLeaf(frontier, new Uint8Array(31))).toThrow(IntegrityError);
    expect(() => frontierRequest(6).assemble(frontier.hashes.slice(1))).toThrow(IntegrityError);
  });
});

describe('proofs generated from stored nodes', () => {
  it('match the RFC 9162 PATH definition for every leaf of every tree size, and verify', () => {
    for (let treeSize = 1; treeSize <= LEAVES.length; treeSize += treeSize < 40 ? 1 : 7) {
      const root = mth(LEAVES.slice(0, treeSize));
      for (let leafIndex = 0; leafIndex < treeSize; leafIndex++) {
        const proof = readNodes(inclusionProofRequest(leafIndex, treeSize), table);
        expect(hex(proof)).toEqual(hex(path(leafIndex, LEAVES.slice(0, treeSize))));
        verifyInclusion({ leafIndex, treeSize, leafHash: LEAVES[leafIndex], proof, root });
      }
    }
  });

  it('match the RFC 9162 PROOF definition for every pair of tree sizes, and verify', () => {
    for (let newSize = 1; newSize <= LEAVES.length; newSize += newSize < 40 ? 1 : 7) {
      const newRoot = mth(LEAVES.slice(0, newSize));
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const proof = readNodes(consistencyProofRequest(oldSize, newSize), table);
        expect(hex(proof)).toEqual(hex(subproof(oldSize, LEAVES.slice(0, newSize), true)));
        verifyConsistency({ oldSize, newSize, oldRoot: mth(LEAVES.slice(0, oldSize)), newRoot, proof });
      }
    }
  });

  it('are the same whether built incrementally or by the in-memory log', () => {
    const log = new InMemoryMerkleLog();
    LEAVES.forEach((leaf) => log.append(leaf));
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: LEAVES.length })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constant(n))),
        ([m, n]) => {
          expect(log.proveInclusion(m, n)).toEqual(readNodes(inclusionProofRequest(m, n), table));
          expect(log.proveConsistency(m, n)).toEqual(readNodes(consistencyProofRequest(m, n), table));
        },
      ),
    );
  });

  it('refuses to prove a leaf outside the tree, or a log that shrank', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as IntegrityError).code;
      }
    };
    expect(codeOf(() => inclusionProofRequest(5, 5))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => inclusionProofRequest(-1, 5))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => consistencyProofRequest(6, 5))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => rootRequest(1.5))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => inclusionProofRequest(0, 3).assemble([]))).toBe('MALFORMED_NODES');
    expect(codeOf(() => new InMemoryMerkleLog().proveInclusion(0, 1))).toBe('OUT_OF_RANGE');
  });
});

/*
 * A ledger may pass 2^32 events. In a tree whose leaves all hash alike, every
 * perfect subtree of one level has one hash, so proofs for any size can be
 * built and checked without the leaves: enough to catch 32-bit arithmetic.
 */
describe('proofs in logs beyond 2^32 events', () => {
  const levels: Uint8Array[] = [leafHash(new Uint8Array())];
  for (let level = 1; level <= 53; level++) levels.push(nodeHash(levels[level - 1], levels[level - 1]));
  const uniform: MerkleNodeReader = {
    node: (level, index) => {
      if (!Number.isSafeInteger(index) || index < 0) throw new Error(`bad index ${index}`);
      return levels[level];
    },
  };

  it('verifies inclusion and consistency proofs at sizes past 2^32 and near 2^53', () => {
    const sizes = [2 ** 32 + 1, 2 ** 33 + 12345, 2 ** 40 - 1, 2 ** 52 + 3, Number.MAX_SAFE_INTEGER];
    for (const treeSize of sizes) {
      const root = readNodes(rootRequest(treeSize), uniform);
      for (const leafIndex of [0, 2 ** 31, 2 ** 32 - 1, 2 ** 32, treeSize - 2, treeSize - 1]) {
        const proof = readNodes(inclusionProofRequest(leafIndex, treeSize), uniform);
        expect(() =>
          verifyInclusion({ leafIndex, treeSize, leafHash: levels[0], proof, root }),
        ).not.toThrow();
      }
      for (const oldSize of [1, 2 ** 31 + 1, 2 ** 32, 2 ** 32 + 1, treeSize - 1]) {
        const proof = readNodes(consistencyProofRequest(oldSize, treeSize), uniform);
        const oldRoot = readNodes(rootRequest(oldSize), uniform);
        expect(() =>
          verifyConsistency({ oldSize, newSize: treeSize, oldRoot, newRoot: root, proof }),
        ).not.toThrow();
      }
    }
  });
});
