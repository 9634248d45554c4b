import fc from 'fast-check';
import { IntegrityError, IntegrityErrorCode } from './integrity-error';
import { InMemoryMerkleLog } from './in-memory-merkle-log';
import { emptyTreeRoot, leafHash } from './merkle-hash';
import {
  ConsistencyClaim,
  InclusionClaim,
  InclusionVerifier,
  verifyConsistency,
  verifyInclusion,
} from './merkle-verify';

/*
 * Forged proofs must fail. immudb's SDKs once accepted proofs that a verifier
 * should have refused (GHSA-672p-m5jq-mrh8); these tests try, for every proof
 * in small trees exhaustively and in larger ones at random, each way a proof
 * can be bent: one flipped bit anywhere, a wrong size, an index off by one,
 * one hash too many or too few.
 */

const MAX_EXHAUSTIVE_SIZE = 14;
const log = new InMemoryMerkleLog();
const leaves = Array.from({ length: 300 }, (_, i) => leafHash(new TextEncoder().encode(`event ${i}`)));
leaves.forEach((leaf) => log.append(leaf));

function refusal(check: () => void): IntegrityErrorCode | 'accepted' {
  try {
    check();
    return 'accepted';
  } catch (error) {
    if (error instanceof IntegrityError) return error.code;
    throw error;
  }
}

function flipBit(proof: readonly Uint8Array[], element: number, bit: number): Uint8Array[] {
  return proof.map((hash, i) => {
    if (i !== element) return hash;
    const flipped = Uint8Array.from(hash);
    flipped[Math.floor(bit / 8)] ^= 1 << (bit % 8);
    return flipped;
  });
}

function inclusionClaim(leafIndex: number, treeSize: number): InclusionClaim {
  return {
    leafIndex,
    treeSize,
    leafHash: leaves[leafIndex],
    proof: log.proveInclusion(leafIndex, treeSize),
    root: log.root(treeSize),
  };
}

function consistencyClaim(oldSize: number, newSize: number): ConsistencyClaim {
  return {
    oldSize,
    newSize,
    oldRoot: log.root(oldSize),
    newRoot: log.root(newSize),
    proof: log.proveConsistency(oldSize, newSize),
  };
}

const inclusionCases = Array.from({ length: MAX_EXHAUSTIVE_SIZE }, (_, s) => s + 1).flatMap((treeSize) =>
  Array.from({ length: treeSize }, (_, leafIndex) => [leafIndex, treeSize] as const),
);
const consistencyCases = Array.from({ length: MAX_EXHAUSTIVE_SIZE }, (_, s) => s + 1).flatMap((newSize) =>
  Array.from({ length: newSize }, (_, m) => [m + 1, newSize] as const),
);

// InclusionVerifier remembers the last proof that held and stops hashing where a proof joins its path:
// a bent proof must fail however much of it the remembered path shares.
describe('one verifier checking proof after proof against one root', () => {
  const verifierOf = (treeSize: number) => new InclusionVerifier(treeSize, log.root(treeSize));

  it('accepts every genuine proof of every leaf, in order, in reverse and at random, of small trees and of 300 leaves', () => {
    for (const treeSize of [...Array.from({ length: MAX_EXHAUSTIVE_SIZE }, (_, s) => s + 1), 300]) {
      const indices = Array.from({ length: treeSize }, (_, i) => i);
      const shuffled = fc.sample(fc.shuffledSubarray(indices, { minLength: treeSize }), {
        numRuns: 1,
        seed: treeSize,
      })[0];
      for (const order of [indices, [...indices].reverse(), shuffled]) {
        const verifier = verifierOf(treeSize);
        for (const leafIndex of order) {
          const { leafHash: leaf, proof } = inclusionClaim(leafIndex, treeSize);
          expect(refusal(() => verifier.verify(leafIndex, leaf, proof))).toBe('accepted');
        }
      }
    }
  });

  it('refuses every single-bit flip of every proof hash and of the leaf, right after its neighbour’s proof held', () => {
    const notRefused: string[] = [];
    for (const [leafIndex, treeSize] of inclusionCases.filter(([, n]) => n > 1)) {
      const claim = inclusionClaim(leafIndex, treeSize);
      for (const neighbour of [leafIndex - 1, leafIndex + 1].filter((i) => i >= 0 && i < treeSize)) {
        const verifier = verifierOf(treeSize);
        const held = inclusionClaim(neighbour, treeSize);
        verifier.verify(neighbour, held.leafHash, held.proof);
        const bent = (what: string, leaf: Uint8Array, proof: readonly Uint8Array[]) => {
          const outcome = refusal(() => verifier.verify(leafIndex, leaf, proof));
          if (outcome !== 'ROOT_MISMATCH')
            notRefused.push(`leaf ${leafIndex} of ${treeSize} after leaf ${neighbour}, ${what}: ${outcome}`);
        };
        for (let bit = 0; bit < 256; bit++) {
          claim.proof.forEach((_, element) =>
            bent(`hash ${element}, bit ${bit}`, claim.leafHash, flipBit(claim.proof, element, bit)),
          );
          bent(`leaf bit ${bit}`, flipBit([claim.leafHash], 0, bit)[0], claim.proof);
        }
        // Refusals leave the remembered path as it was: the genuine proof still holds.
        expect(refusal(() => verifier.verify(leafIndex, claim.leafHash, claim.proof))).toBe('accepted');
      }
    }
    expect(notRefused).toEqual([]);
  });

  it('refuses a neighbour’s proof, or its leaf, presented for the leaf after that neighbour’s own proof held', () => {
    for (const [leafIndex, treeSize] of inclusionCases.filter(([, n]) => n > 1)) {
      const neighbour = leafIndex === 0 ? 1 : leafIndex - 1;
      const verifier = verifierOf(treeSize);
      const held = inclusionClaim(neighbour, treeSize);
      verifier.verify(neighbour, held.leafHash, held.proof);
      const claim = inclusionClaim(leafIndex, treeSize);
      expect(refusal(() => verifier.verify(leafIndex, held.leafHash, claim.proof))).not.toBe('accepted');
      expect(refusal(() => verifier.verify(leafIndex, claim.leafHash, held.proof))).not.toBe('accepted');
    }
  });
});

describe('inclusion proofs an attacker bends', () => {
  it(`accepts every genuine proof in every tree up to ${MAX_EXHAUSTIVE_SIZE} leaves`, () => {
    for (const [leafIndex, treeSize] of inclusionCases)
      expect(refusal(() => verifyInclusion(inclusionClaim(leafIndex, treeSize)))).toBe('accepted');
  });

  it('refuses every single-bit flip of every proof hash, for every leaf of every small tree', () => {
    const notRefused: string[] = [];
    for (const [leafIndex, treeSize] of inclusionCases) {
      const claim = inclusionClaim(leafIndex, treeSize);
      claim.proof.forEach((_, element) => {
        for (let bit = 0; bit < 256; bit++) {
          const outcome = refusal(() =>
            verifyInclusion({ ...claim, proof: flipBit(claim.proof, element, bit) }),
          );
          if (outcome !== 'ROOT_MISMATCH')
            notRefused.push(`leaf ${leafIndex} of ${treeSize}, hash ${element}, bit ${bit}: ${outcome}`);
        }
      });
    }
    expect(notRefused).toEqual([]);
  });

  it('refuses every single-bit flip of the leaf hash and of the root', () => {
    const claim = inclusionClaim(5, 11);
    for (let bit = 0; bit < 256; bit++) {
      expect(
        refusal(() => verifyInclusion({ ...claim, leafHash: flipBit([claim.leafHash], 0, bit)[0] })),
      ).toBe('ROOT_MISMATCH');
      expect(refusal(() => verifyInclusion({ ...claim, root: flipBit([claim.root], 0, bit)[0] }))).toBe(
        'ROOT_MISMATCH',
      );
    }
  });

  it('refuses a proof presented for a neighbouring leaf (index off by one either way)', () => {
    for (const [leafIndex, treeSize] of inclusionCases.filter(([, n]) => n > 1)) {
      const claim = inclusionClaim(leafIndex, treeSize);
      for (const wrongIndex of [leafIndex - 1, leafIndex + 1]) {
        expect(refusal(() => verifyInclusion({ ...claim, leafIndex: wrongIndex }))).not.toBe('accepted');
      }
    }
  });

  // A tree size only shapes the path (leaf 0 climbs the same way in trees of 5 and 6 leaves),
  // so what binds a size to a root is the signed checkpoint; the attack is pairing a proof
  // with another checkpoint, and that must fail.
  it('refuses a proof presented against the checkpoint of any other tree size', () => {
    for (const [leafIndex, treeSize] of inclusionCases) {
      const claim = inclusionClaim(leafIndex, treeSize);
      for (let otherSize = leafIndex + 1; otherSize <= MAX_EXHAUSTIVE_SIZE + 2; otherSize++) {
        if (otherSize !== treeSize)
          expect(
            refusal(() => verifyInclusion({ ...claim, treeSize: otherSize, root: log.root(otherSize) })),
          ).not.toBe('accepted');
      }
    }
  });

  it('refuses a proof whose tree size is doubled, halved, or cannot hold the leaf, even with the right root', () => {
    for (const [leafIndex, treeSize] of inclusionCases.filter(([, n]) => n > 1)) {
      const claim = inclusionClaim(leafIndex, treeSize);
      for (const wrongSize of [treeSize * 2, Math.floor(treeSize / 2), leafIndex]) {
        expect(refusal(() => verifyInclusion({ ...claim, treeSize: wrongSize }))).not.toBe('accepted');
      }
    }
  });

  it('refuses a proof one hash too long or too short, wherever the hash is added or removed', () => {
    for (const [leafIndex, treeSize] of inclusionCases) {
      const claim = inclusionClaim(leafIndex, treeSize);
      const { proof } = claim;
      for (let at = 0; at <= proof.length; at++) {
        const longer = [...proof.slice(0, at), claim.root, ...proof.slice(at)];
        expect(refusal(() => verifyInclusion({ ...claim, proof: longer }))).toBe('WRONG_PROOF_LENGTH');
      }
      for (let at = 0; at < proof.length; at++) {
        const shorter = [...proof.slice(0, at), ...proof.slice(at + 1)];
        expect(refusal(() => verifyInclusion({ ...claim, proof: shorter }))).toBe('WRONG_PROOF_LENGTH');
      }
    }
  });

  it('refuses indices outside the tree, sizes that are not whole numbers, and hashes that are not 32 bytes', () => {
    const claim = inclusionClaim(3, 8);
    expect(refusal(() => verifyInclusion({ ...claim, leafIndex: 8 }))).toBe('OUT_OF_RANGE');
    expect(refusal(() => verifyInclusion({ ...claim, leafIndex: -1 }))).toBe('OUT_OF_RANGE');
    expect(refusal(() => verifyInclusion({ ...claim, leafIndex: 3.5 }))).toBe('OUT_OF_RANGE');
    expect(refusal(() => verifyInclusion({ ...claim, treeSize: 0, leafIndex: 0 }))).toBe('OUT_OF_RANGE');
    expect(refusal(() => verifyInclusion({ ...claim, treeSize: Number.NaN }))).toBe('OUT_OF_RANGE');
    expect(refusal(() => verifyInclusion({ ...claim, treeSize: 2 ** 53 }))).toBe('OUT_OF_RANGE');
    expect(refusal(() => verifyInclusion({ ...claim, leafHash: claim.leafHash.subarray(0, 31) }))).toBe(
      'MALFORMED_HASH',
    );
    expect(refusal(() => verifyInclusion({ ...claim, root: new Uint8Array(33) }))).toBe('MALFORMED_HASH');
    expect(
      refusal(() =>
        verifyInclusion({ ...claim, proof: [claim.proof[0], new Uint8Array(31), claim.proof[2]] }),
      ),
    ).toBe('MALFORMED_HASH');
  });

  it('refuses, in larger trees, a random bit flip, the index of another leaf, another checkpoint, or a length change', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: leaves.length })
          .chain((n) =>
            fc.tuple(
              fc.integer({ min: 0, max: n - 1 }),
              fc.constant(n),
              fc.nat(),
              fc.integer({ min: 1, max: leaves.length }),
            ),
          ),
        ([leafIndex, treeSize, pick, otherSize]) => {
          const claim = inclusionClaim(leafIndex, treeSize);
          expect(refusal(() => verifyInclusion(claim))).toBe('accepted');
          const element = pick % claim.proof.length;
          expect(
            refusal(() => verifyInclusion({ ...claim, proof: flipBit(claim.proof, element, pick % 256) })),
          ).toBe('ROOT_MISMATCH');
          expect(
            refusal(() =>
              verifyInclusion({ ...claim, leafIndex: (leafIndex + 1 + (pick % (treeSize - 1))) % treeSize }),
            ),
          ).not.toBe('accepted');
          if (otherSize !== treeSize && otherSize > leafIndex)
            expect(
              refusal(() => verifyInclusion({ ...claim, treeSize: otherSize, root: log.root(otherSize) })),
            ).not.toBe('accepted');
          expect(refusal(() => verifyInclusion({ ...claim, proof: claim.proof.slice(1) }))).toBe(
            'WRONG_PROOF_LENGTH',
          );
          expect(refusal(() => verifyInclusion({ ...claim, proof: [...claim.proof, claim.root] }))).toBe(
            'WRONG_PROOF_LENGTH',
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('consistency proofs an attacker bends', () => {
  it(`accepts every genuine proof between every pair of trees up to ${MAX_EXHAUSTIVE_SIZE} leaves`, () => {
    for (const [oldSize, newSize] of consistencyCases)
      expect(refusal(() => verifyConsistency(consistencyClaim(oldSize, newSize)))).toBe('accepted');
  });

  it('refuses every single-bit flip of every proof hash, for every pair of small trees', () => {
    const notRefused: string[] = [];
    for (const [oldSize, newSize] of consistencyCases) {
      const claim = consistencyClaim(oldSize, newSize);
      claim.proof.forEach((_, element) => {
        for (let bit = 0; bit < 256; bit++) {
          const outcome = refusal(() =>
            verifyConsistency({ ...claim, proof: flipBit(claim.proof, element, bit) }),
          );
          if (outcome !== 'ROOT_MISMATCH')
            notRefused.push(`${oldSize} to ${newSize}, hash ${element}, bit ${bit}: ${outcome}`);
        }
      });
    }
    expect(notRefused).toEqual([]);
  });

  it('refuses every single-bit flip of either root', () => {
    for (const [oldSize, newSize] of [
      [3, 11],
      [4, 11],
      [11, 11],
    ] as const) {
      const claim = consistencyClaim(oldSize, newSize);
      for (let bit = 0; bit < 256; bit++) {
        expect(
          refusal(() => verifyConsistency({ ...claim, oldRoot: flipBit([claim.oldRoot], 0, bit)[0] })),
        ).toBe('ROOT_MISMATCH');
        expect(
          refusal(() => verifyConsistency({ ...claim, newRoot: flipBit([claim.newRoot], 0, bit)[0] })),
        ).toBe('ROOT_MISMATCH');
      }
    }
  });

  it('refuses a proof presented against the checkpoints of any other pair of sizes', () => {
    for (const [oldSize, newSize] of consistencyCases) {
      const claim = consistencyClaim(oldSize, newSize);
      for (let other = 1; other <= MAX_EXHAUSTIVE_SIZE + 2; other++) {
        if (other !== oldSize && other <= newSize)
          expect(
            refusal(() => verifyConsistency({ ...claim, oldSize: other, oldRoot: log.root(other) })),
          ).not.toBe('accepted');
        if (other !== newSize && other >= oldSize)
          expect(
            refusal(() => verifyConsistency({ ...claim, newSize: other, newRoot: log.root(other) })),
          ).not.toBe('accepted');
      }
    }
  });

  it('refuses a proof whose old size is off by one, or whose new size is doubled or halved, even with the right roots', () => {
    for (const [oldSize, newSize] of consistencyCases.filter(([m, n]) => m < n)) {
      const claim = consistencyClaim(oldSize, newSize);
      for (const wrongOld of [oldSize - 1, oldSize + 1])
        expect(refusal(() => verifyConsistency({ ...claim, oldSize: wrongOld }))).not.toBe('accepted');
      for (const wrongNew of [newSize * 2, Math.floor(newSize / 2)])
        expect(refusal(() => verifyConsistency({ ...claim, newSize: wrongNew }))).not.toBe('accepted');
    }
  });

  it('refuses a proof one hash too long or too short, wherever the hash is added or removed', () => {
    for (const [oldSize, newSize] of consistencyCases) {
      const claim = consistencyClaim(oldSize, newSize);
      const { proof } = claim;
      for (let at = 0; at <= proof.length; at++) {
        const longer = [...proof.slice(0, at), claim.oldRoot, ...proof.slice(at)];
        expect(refusal(() => verifyConsistency({ ...claim, proof: longer }))).toBe('WRONG_PROOF_LENGTH');
      }
      for (let at = 0; at < proof.length; at++) {
        const shorter = [...proof.slice(0, at), ...proof.slice(at + 1)];
        expect(refusal(() => verifyConsistency({ ...claim, proof: shorter }))).toBe('WRONG_PROOF_LENGTH');
      }
    }
  });

  it('refuses swapped roots, and a log that claims to have shrunk', () => {
    const claim = consistencyClaim(5, 12);
    expect(
      refusal(() => verifyConsistency({ ...claim, oldRoot: claim.newRoot, newRoot: claim.oldRoot })),
    ).toBe('ROOT_MISMATCH');
    expect(refusal(() => verifyConsistency({ ...claim, oldSize: 12, newSize: 5 }))).toBe('OUT_OF_RANGE');
  });

  it('accepts the trivial cases only when they are exactly trivial', () => {
    const root = log.root(9);
    expect(
      refusal(() => verifyConsistency({ oldSize: 9, newSize: 9, oldRoot: root, newRoot: root, proof: [] })),
    ).toBe('accepted');
    expect(
      refusal(() =>
        verifyConsistency({ oldSize: 9, newSize: 9, oldRoot: root, newRoot: log.root(8), proof: [] }),
      ),
    ).toBe('ROOT_MISMATCH');
    expect(
      refusal(() =>
        verifyConsistency({ oldSize: 9, newSize: 9, oldRoot: root, newRoot: root, proof: [root] }),
      ),
    ).toBe('WRONG_PROOF_LENGTH');
    expect(
      refusal(() =>
        verifyConsistency({ oldSize: 0, newSize: 9, oldRoot: emptyTreeRoot(), newRoot: root, proof: [] }),
      ),
    ).toBe('accepted');
    expect(
      refusal(() => verifyConsistency({ oldSize: 0, newSize: 9, oldRoot: root, newRoot: root, proof: [] })),
    ).toBe('ROOT_MISMATCH');
    expect(
      refusal(() =>
        verifyConsistency({ oldSize: 0, newSize: 9, oldRoot: emptyTreeRoot(), newRoot: root, proof: [root] }),
      ),
    ).toBe('WRONG_PROOF_LENGTH');
    expect(
      refusal(() =>
        verifyConsistency({
          oldSize: 0,
          newSize: 0,
          oldRoot: emptyTreeRoot(),
          newRoot: emptyTreeRoot(),
          proof: [],
        }),
      ),
    ).toBe('accepted');
    expect(
      refusal(() =>
        verifyConsistency({ oldSize: 0, newSize: 0, oldRoot: emptyTreeRoot(), newRoot: root, proof: [] }),
      ),
    ).toBe('ROOT_MISMATCH');
  });

  it('refuses, in larger trees, a random bit flip, other checkpoints, or a length change', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: leaves.length })
          .chain((n) =>
            fc.tuple(
              fc.integer({ min: 1, max: n - 1 }),
              fc.constant(n),
              fc.nat(),
              fc.integer({ min: 0, max: leaves.length }),
            ),
          ),
        ([oldSize, newSize, pick, otherSize]) => {
          const claim = consistencyClaim(oldSize, newSize);
          expect(refusal(() => verifyConsistency(claim))).toBe('accepted');
          expect(
            refusal(() =>
              verifyConsistency({
                ...claim,
                proof: flipBit(claim.proof, pick % claim.proof.length, pick % 256),
              }),
            ),
          ).toBe('ROOT_MISMATCH');
          if (otherSize !== oldSize && otherSize <= newSize)
            expect(
              refusal(() =>
                verifyConsistency({ ...claim, oldSize: otherSize, oldRoot: log.root(otherSize) }),
              ),
            ).not.toBe('accepted');
          if (otherSize !== newSize && otherSize >= oldSize)
            expect(
              refusal(() =>
                verifyConsistency({ ...claim, newSize: otherSize, newRoot: log.root(otherSize) }),
              ),
            ).not.toBe('accepted');
          expect(refusal(() => verifyConsistency({ ...claim, proof: claim.proof.slice(0, -1) }))).toBe(
            'WRONG_PROOF_LENGTH',
          );
          expect(refusal(() => verifyConsistency({ ...claim, proof: [claim.newRoot, ...claim.proof] }))).toBe(
            'WRONG_PROOF_LENGTH',
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
