import { assertHash, nodeHash } from './merkle-hash';
import { IntegrityError } from './integrity-error';
import { widestPerfectSubtree } from './tree-size';

/**
 * A complete (perfect) subtree: level L, index i covers leaves
 * [i * 2^L, (i + 1) * 2^L). Level 0 nodes are leaf hashes. These never change
 * once the log has grown past them, so a store can write each one once and
 * every proof for every tree size can be answered from them.
 */
export interface NodeAddress {
  readonly level: number;
  readonly index: number;
}

export interface MerkleNode extends NodeAddress {
  readonly hash: Uint8Array;
}

/** Synchronous access to stored perfect-subtree hashes; throws if a node is missing. */
export interface MerkleNodeReader {
  node(level: number, index: number): Uint8Array;
}

/**
 * What to read, and how to turn what was read into the answer. Splitting the
 * two keeps the tree logic pure and lets a store fetch every node in one
 * query, synchronously (SQLite) or not (PostgreSQL): read `nodes` in order,
 * then call `assemble` with their hashes in the same order.
 */
export interface NodeRequest<T> {
  readonly nodes: readonly NodeAddress[];
  assemble(hashes: readonly Uint8Array[]): T;
}

export function readNodes<T>(request: NodeRequest<T>, reader: MerkleNodeReader): T {
  return request.assemble(request.nodes.map(({ level, index }) => reader.node(level, index)));
}

/** Leaves [start, end) of the tree: always the span of an RFC 9162 subtree in this lib. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The perfect subtrees, widest first, whose hashes fold into the hash of the
 * RFC 9162 subtree over [start, end). Such a subtree's left part is always
 * perfect and its right part is again such a subtree, so it splits along the
 * binary digits of its width. `start` must be aligned to the widest part,
 * which holds for every range a proof or root asks for.
 */
export function perfectSubtrees({ start, end }: LeafRange): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  let offset = start;
  let { width, level } = widestPerfectSubtree(end - start);
  for (; width >= 1; width /= 2, level--) {
    if (end - offset < width) continue;
    if (offset % width !== 0)
      throw new RangeError(`leaves [${start}, ${end}) do not form an RFC 9162 subtree`);
    nodes.push({ level, index: offset / width });
    offset += width;
  }
  return nodes;
}

/** Hash of an RFC 9162 subtree from its perfect parts (widest first): they nest to the right. */
export function foldPerfectSubtrees(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) throw new RangeError('an empty range has no subtree hash');
  let hash = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) hash = nodeHash(hashes[i], hash);
  return hash;
}

/** A request for the hashes of several RFC 9162 subtrees, in order: the shape of every proof. */
export function subtreeHashesRequest(ranges: readonly LeafRange[]): NodeRequest<Uint8Array[]> {
  const parts = ranges.map(perfectSubtrees);
  return {
    nodes: parts.flat(),
    assemble(hashes) {
      const expected = parts.reduce((sum, part) => sum + part.length, 0);
      if (hashes.length !== expected) {
        throw new IntegrityError(
          'MALFORMED_NODES',
          `asked for ${expected} node hashes, was given ${hashes.length}`,
        );
      }
      hashes.forEach((hash, i) => assertHash(hash, `node hash ${i}`));
      let next = 0;
      return parts.map((part) => foldPerfectSubtrees(hashes.slice(next, (next += part.length))));
    },
  };
}
