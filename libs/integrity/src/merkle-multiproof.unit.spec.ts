import fc from 'fast-check';
import { IntegrityError } from './integrity-error';
import { InMemoryMerkleLog } from './in-memory-merkle-log';
import { leafHash } from './merkle-hash';
import { readNodes } from './merkle-nodes';
import { multiproofRequests, verifyMultiproof } from './merkle-multiproof';

/*
 * A multiproof holds for every set of leaves of every tree shape, and refuses
 * each way a bundle could bend it: a flipped bit in a leaf or a proof hash, a
 * leaf index moved, a leaf left out or added, a hash too many or too few.
 */

const log = new InMemoryMerkleLog();
const leaves = Array.from({ length: 70 }, (_, i) => leafHash(new TextEncoder().encode(`event ${i}`)));
leaves.forEach((leaf) => log.append(leaf));

/** The proof as the ledger makes it: in parts of at most `subtrees` hashes (a few, so that most proofs here come in several). */
function claim(indices: number[], treeSize: number, subtrees = 3) {
  const proof = Buffer.concat(
    [...multiproofRequests(indices, treeSize, subtrees)].flatMap((request) => readNodes(request, log)),
  );
  return {
    treeSize,
    leafIndices: indices,
    leafHashes: Buffer.concat(indices.map((i) => leaves[i])),
    proof,
    root: log.root(treeSize),
  };
}

const leafSet = fc
  .integer({ min: 1, max: 70 })
  .chain((treeSize) =>
    fc.tuple(
      fc.constant(treeSize),
      fc.uniqueArray(fc.integer({ min: 0, max: treeSize - 1 }), { minLength: 1, maxLength: treeSize }),
    ),
  )
  .map(([treeSize, indices]) => ({ treeSize, indices: indices.sort((a, b) => a - b) }));

function refused(check: () => void): boolean {
  try {
    check();
    return false;
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return true;
  }
}

describe('Merkle multiproof', () => {
  it('proves any set of leaves of any tree size', () => {
    fc.assert(fc.property(leafSet, ({ treeSize, indices }) => verifyMultiproof(claim(indices, treeSize))));
  });

  it('needs no proof hash when every leaf is carried, and log n for one leaf', () => {
    const all = Array.from({ length: 64 }, (_, i) => i);
    expect(claim(all, 64).proof).toHaveLength(0);
    expect(claim([5], 64).proof).toHaveLength(6 * 32);
  });

  it('is the same proof however many parts it is read in', () => {
    fc.assert(
      fc.property(leafSet, fc.integer({ min: 1, max: 8 }), ({ treeSize, indices }, subtrees) => {
        expect(claim(indices, treeSize, subtrees).proof).toEqual(claim(indices, treeSize, 4096).proof);
      }),
    );
  });

  it('refuses a flipped bit in a leaf or a proof hash', () => {
    fc.assert(
      fc.property(leafSet, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ treeSize, indices }, at, bit) => {
        const good = claim(indices, treeSize);
        const leafHashes = Buffer.from(good.leafHashes);
        leafHashes[at % leafHashes.length] ^= 1 << (bit % 8);
        expect(refused(() => verifyMultiproof({ ...good, leafHashes }))).toBe(true);
        if (good.proof.length > 0) {
          const proof = Buffer.from(good.proof);
          proof[at % proof.length] ^= 1 << (bit % 8);
          expect(refused(() => verifyMultiproof({ ...good, proof }))).toBe(true);
        }
      }),
    );
  });

  it('refuses a leaf moved, dropped or added, and a hash too many or too few', () => {
    fc.assert(
      fc.property(leafSet, fc.nat(), ({ treeSize, indices }, at) => {
        const good = claim(indices, treeSize);
        const i = at % indices.length;
        const moved = [...indices];
        moved[i] = indices[i] + 1;
        if (moved[i] < treeSize && (i + 1 === indices.length || moved[i] < indices[i + 1]))
          expect(refused(() => verifyMultiproof({ ...good, leafIndices: moved }))).toBe(true);
        if (indices.length > 1)
          expect(
            refused(() =>
              verifyMultiproof({
                ...good,
                leafIndices: indices.filter((_, j) => j !== i),
                leafHashes: Buffer.concat(indices.filter((_, j) => j !== i).map((j) => leaves[j])),
              }),
            ),
          ).toBe(true);
        expect(
          refused(() => verifyMultiproof({ ...good, proof: Buffer.concat([good.proof, good.root]) })),
        ).toBe(true);
        if (good.proof.length > 0)
          expect(refused(() => verifyMultiproof({ ...good, proof: good.proof.subarray(32) }))).toBe(true);
        // Part of a hash is no proof hash.
        expect(
          refused(() =>
            verifyMultiproof({ ...good, proof: Buffer.concat([good.proof, good.root.subarray(1)]) }),
          ),
        ).toBe(true);
      }),
    );
  });

  it('refuses leaves out of order or outside the tree', () => {
    expect(refused(() => verifyMultiproof({ ...claim([1, 2], 8), leafIndices: [2, 1] }))).toBe(true);
    expect(refused(() => verifyMultiproof({ ...claim([1, 7], 8), leafIndices: [1, 8] }))).toBe(true);
  });
});
