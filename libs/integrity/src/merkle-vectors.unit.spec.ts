import { Buffer } from 'node:buffer';
import { IntegrityError } from './integrity-error';
import { InMemoryMerkleLog } from './in-memory-merkle-log';
import { appendLeaf, emptyFrontier, frontierRoot } from './merkle-frontier';
import { emptyTreeRoot, leafHash } from './merkle-hash';
import { verifyConsistency, verifyInclusion } from './merkle-verify';

/*
 * Independent vectors: the RFC 6962 reference tree that Certificate
 * Transparency's implementations are tested against (transparency-dev/merkle,
 * testonly/constants.go and proof/verify_test.go). Data only; the code under
 * test was written from RFC 9162.
 */
const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

const LEAF_DATA = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);

const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];

/** Root for each tree size 0..8. */
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);

/** Compact range (frontier) after each size 0..8, as [level, index] into NODE_HASHES. */
const FRONTIERS: [number, number][][] = [
  [],
  [[0, 0]],
  [[1, 0]],
  [
    [1, 0],
    [0, 2],
  ],
  [[2, 0]],
  [
    [2, 0],
    [0, 4],
  ],
  [
    [2, 0],
    [1, 2],
  ],
  [
    [2, 0],
    [1, 2],
    [0, 6],
  ],
  [[3, 0]],
];

/** The source numbers leaves from 1; these indices are 0-based. */
const INCLUSION = [
  { leafIndex: 0, treeSize: 1, proof: [] },
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leafIndex: 2, treeSize: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY = [
  { oldSize: 1, newSize: 1, proof: [] },
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    oldSize: 6,
    newSize: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

function referenceLog(): InMemoryMerkleLog {
  const log = new InMemoryMerkleLog();
  LEAF_DATA.forEach((data) => log.append(leafHash(data)));
  return log;
}

const toHex = (hashes: Uint8Array[]): string[] => hashes.map((hash) => Buffer.from(hash).toString('hex'));

describe('the Merkle log against the RFC 6962 reference vectors of Certificate Transparency', () => {
  it('computes the known root for every tree size from 0 to 8, incrementally and after the fact', () => {
    const log = referenceLog();
    let frontier = emptyFrontier();
    expect(frontierRoot(frontier)).toEqual(ROOTS[0]);
    LEAF_DATA.forEach((data, i) => {
      frontier = appendLeaf(frontier, leafHash(data)).frontier;
      expect(frontierRoot(frontier)).toEqual(ROOTS[i + 1]);
    });
    ROOTS.forEach((root, size) => expect(log.root(size)).toEqual(root));
    expect(emptyTreeRoot()).toEqual(ROOTS[0]);
  });

  it('stores exactly the known hash of every complete subtree', () => {
    const log = referenceLog();
    NODE_HASHES.forEach((level, l) => level.forEach((hash, i) => expect(log.node(l, i)).toEqual(hex(hash))));
  });

  it('keeps the known compact range (frontier) after every append', () => {
    let frontier = emptyFrontier();
    expect(frontier.hashes).toEqual([]);
    LEAF_DATA.forEach((data, i) => {
      frontier = appendLeaf(frontier, leafHash(data)).frontier;
      expect(frontier.hashes).toEqual(
        FRONTIERS[i + 1].map(([level, index]) => hex(NODE_HASHES[level][index])),
      );
    });
  });

  it.each(INCLUSION)(
    'proves leaf $leafIndex in a tree of $treeSize with the known audit path, which verifies',
    ({ leafIndex, treeSize, proof }) => {
      const log = referenceLog();
      expect(toHex(log.proveInclusion(leafIndex, treeSize))).toEqual(proof);
      expect(() =>
        verifyInclusion({
          leafIndex,
          treeSize,
          leafHash: leafHash(LEAF_DATA[leafIndex]),
          proof: proof.map(hex),
          root: ROOTS[treeSize],
        }),
      ).not.toThrow();
    },
  );

  it.each(CONSISTENCY)(
    'proves the tree of $oldSize a prefix of the tree of $newSize with the known proof, which verifies',
    ({ oldSize, newSize, proof }) => {
      const log = referenceLog();
      expect(toHex(log.proveConsistency(oldSize, newSize))).toEqual(proof);
      expect(() =>
        verifyConsistency({
          oldSize,
          newSize,
          oldRoot: ROOTS[oldSize],
          newRoot: ROOTS[newSize],
          proof: proof.map(hex),
        }),
      ).not.toThrow();
    },
  );

  // The corruptions transparency-dev/merkle's own verifier tests try against these vectors.
  const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

  it.each(INCLUSION.filter((v) => v.treeSize > 1))(
    'refuses every corruption of the audit path for leaf $leafIndex of $treeSize',
    ({ leafIndex, treeSize, proof: proofHex }) => {
      const proof = proofHex.map(hex);
      const leaf = leafHash(LEAF_DATA[leafIndex]);
      const root = ROOTS[treeSize];
      const probes = [
        { leafIndex: leafIndex - 1, treeSize, leafHash: leaf, proof, root },
        { leafIndex: leafIndex + 1, treeSize, leafHash: leaf, proof, root },
        { leafIndex: leafIndex ^ 2, treeSize, leafHash: leaf, proof, root },
        { leafIndex, treeSize: treeSize * 2, leafHash: leaf, proof, root },
        { leafIndex, treeSize: Math.floor(treeSize / 2), leafHash: leaf, proof, root },
        { leafIndex, treeSize, leafHash: new TextEncoder().encode('WrongLeaf'), proof, root },
        { leafIndex, treeSize, leafHash: leaf, proof, root: ROOTS[0] },
        { leafIndex, treeSize, leafHash: leaf, proof, root: SOME_HASH },
        { leafIndex, treeSize, leafHash: leaf, proof: [...proof, new Uint8Array()], root },
        { leafIndex, treeSize, leafHash: leaf, proof: [...proof, root], root },
        { leafIndex, treeSize, leafHash: leaf, proof: [new Uint8Array(), ...proof], root },
        { leafIndex, treeSize, leafHash: leaf, proof: [root, ...proof], root },
        { leafIndex, treeSize, leafHash: leaf, proof: proof.slice(0, -1), root },
        { leafIndex, treeSize, leafHash: leaf, proof: [proof[0], SOME_HASH, ...proof.slice(1)], root },
      ];
      for (const probe of probes) expect(() => verifyInclusion(probe)).toThrow(IntegrityError);
    },
  );

  it.each(CONSISTENCY.filter((v) => v.proof.length > 0))(
    'refuses every corruption of the consistency proof from $oldSize to $newSize',
    ({ oldSize, newSize, proof: proofHex }) => {
      const proof = proofHex.map(hex);
      const oldRoot = ROOTS[oldSize];
      const newRoot = ROOTS[newSize];
      const wrongRoot = new TextEncoder().encode('WrongRoot');
      const probes = [
        { oldSize: oldSize - 1, newSize, oldRoot, newRoot, proof },
        { oldSize: oldSize + 1, newSize, oldRoot, newRoot, proof },
        { oldSize: oldSize ^ 2, newSize, oldRoot, newRoot, proof },
        { oldSize, newSize: newSize * 2, oldRoot, newRoot, proof },
        { oldSize, newSize: Math.floor(newSize / 2), oldRoot, newRoot, proof },
        { oldSize, newSize, oldRoot: wrongRoot, newRoot, proof },
        { oldSize, newSize, oldRoot, newRoot: wrongRoot, proof },
        { oldSize, newSize, oldRoot: newRoot, newRoot: oldRoot, proof },
        { oldSize, newSize, oldRoot, newRoot, proof: [] },
        { oldSize, newSize, oldRoot, newRoot, proof: [...proof, new Uint8Array()] },
        { oldSize, newSize, oldRoot, newRoot, proof: [...proof, oldRoot] },
        { oldSize, newSize, oldRoot, newRoot, proof: [...proof, newRoot] },
        { oldSize, newSize, oldRoot, newRoot, proof: [new Uint8Array(), ...proof] },
        { oldSize, newSize, oldRoot, newRoot, proof: [oldRoot, ...proof] },
        { oldSize, newSize, oldRoot, newRoot, proof: [newRoot, ...proof] },
        { oldSize, newSize, oldRoot, newRoot, proof: [proof[0], ...proof] },
        { oldSize, newSize, oldRoot, newRoot, proof: proof.slice(0, -1) },
      ];
      for (const probe of probes) expect(() => verifyConsistency(probe)).toThrow(IntegrityError);
    },
  );
});
