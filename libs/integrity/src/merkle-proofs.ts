import { IntegrityError } from './integrity-error';
import { emptyTreeRoot } from './merkle-hash';
import { LeafRange, NodeRequest, subtreeHashesRequest } from './merkle-nodes';
import { assertLeafInTree, assertTreeSize, splitPoint } from './tree-size';

/*
 * Proof generation as node requests: each proof hash is the hash of an
 * RFC 9162 subtree, read as the perfect subtrees it splits into. The ranges
 * follow the recursive definitions of RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1
 * (SUBPROOF), carried out on absolute leaf positions.
 */

/** The root of the log as it stood at `treeSize` leaves, for any size up to the current one. */
export function rootRequest(treeSize: number): NodeRequest<Uint8Array> {
  assertTreeSize(treeSize, 'tree size');
  if (treeSize === 0) return { nodes: [], assemble: () => emptyTreeRoot() };
  const request = subtreeHashesRequest([{ start: 0, end: treeSize }]);
  return { nodes: request.nodes, assemble: (hashes) => request.assemble(hashes)[0] };
}

/** The audit path for leaf `leafIndex` in the tree of `treeSize` leaves, leaf end first. */
export function inclusionProofRequest(leafIndex: number, treeSize: number): NodeRequest<Uint8Array[]> {
  assertLeafInTree(leafIndex, treeSize);
  return subtreeHashesRequest(auditPath(leafIndex, { start: 0, end: treeSize }));
}

function auditPath(leafIndex: number, { start, end }: LeafRange): LeafRange[] {
  if (end - start === 1) return [];
  const middle = start + splitPoint(end - start);
  return leafIndex < middle
    ? [...auditPath(leafIndex, { start, end: middle }), { start: middle, end }]
    : [...auditPath(leafIndex, { start: middle, end }), { start, end: middle }];
}

/**
 * The proof that the tree of `oldSize` leaves is a prefix of the tree of
 * `newSize` leaves. Empty when there is nothing to prove: equal sizes, or an
 * empty old tree.
 */
export function consistencyProofRequest(oldSize: number, newSize: number): NodeRequest<Uint8Array[]> {
  assertTreeSize(oldSize, 'old tree size');
  assertTreeSize(newSize, 'new tree size');
  if (oldSize > newSize) {
    throw new IntegrityError(
      'OUT_OF_RANGE',
      `a log of ${oldSize} leaves cannot be a prefix of one of ${newSize}; give the older, smaller size first`,
    );
  }
  if (oldSize === 0) return subtreeHashesRequest([]);
  return subtreeHashesRequest(subproof(oldSize, { start: 0, end: newSize }, true));
}

/** SUBPROOF(m, D[start:end], wholeOldTree): `oldSize` is absolute, start < oldSize <= end. */
function subproof(oldSize: number, { start, end }: LeafRange, wholeOldTree: boolean): LeafRange[] {
  // The verifier already holds the old root; any other old subtree it must be told.
  if (oldSize === end) return wholeOldTree ? [] : [{ start, end }];
  const middle = start + splitPoint(end - start);
  return oldSize <= middle
    ? [...subproof(oldSize, { start, end: middle }, wholeOldTree), { start: middle, end }]
    : [...subproof(oldSize, { start: middle, end }, false), { start, end: middle }];
}
