import { IntegrityError } from './integrity-error';

/*
 * Tree arithmetic on plain numbers. JavaScript's bitwise operators truncate to
 * 32 bits, and a ledger may outgrow 2^32 events, so everything here divides
 * and multiplies instead of shifting; sizes are capped at 2^53 - 1, where
 * numbers stop being exact.
 */

export function assertTreeSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new IntegrityError(
      'OUT_OF_RANGE',
      `${what} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${value}`,
    );
  }
}

/** A leaf index and a tree size, each a whole number, the leaf inside the tree. */
export function assertLeafInTree(leafIndex: number, treeSize: number): void {
  assertTreeSize(leafIndex, 'leaf index');
  assertTreeSize(treeSize, 'tree size');
  if (leafIndex >= treeSize) {
    throw new IntegrityError(
      'OUT_OF_RANGE',
      `leaf index ${leafIndex} is not in a tree of ${treeSize} leaves (indices start at 0)`,
    );
  }
}

/** k in RFC 9162 §2.1.1: the largest power of two smaller than n, for n > 1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The widest complete subtree that fits in `size` leaves, with its level (log2 of its width). */
export function widestPerfectSubtree(size: number): { width: number; level: number } {
  let width = 1;
  let level = 0;
  while (width * 2 <= size) {
    width *= 2;
    level++;
  }
  return { width, level };
}

export function countOneBits(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

export const isOdd = (n: number): boolean => n % 2 === 1;
export const half = (n: number): number => Math.floor(n / 2);
