import { eventLeafHash, InMemoryMerkleLog, leafHash, sha256Hex } from '@ledger/integrity';
import { RebuiltLogs } from './rebuilt-logs';

/*
 * The two logs verify rebuilds on its hashing thread, against the same logs
 * built in memory on this one: every root asked for, across several batches,
 * with the sealer's log forking from the events' and growing past them.
 */
const hashes = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => sha256Hex(`event ${from + i}`));

function expectedRoots(leaves: Uint8Array[], sizes: number[]): Map<number, Uint8Array> {
  const log = new InMemoryMerkleLog();
  for (const leaf of leaves) log.append(leaf);
  return new Map(sizes.filter((size) => size <= log.size).map((size) => [size, log.root(size)]));
}

describe('RebuiltLogs', () => {
  const sizes = [1, 2, 3, 4095, 4096, 4097, 9000, 9500, 10000];

  it('gives the events log roots, and the same for the sealer while it never forks', async () => {
    const events = hashes(0, 9500);
    const logs = new RebuiltLogs(new Set(sizes));
    try {
      for (const hash of events) logs.appendEvent(hash);
      const roots = await logs.roots();
      const expected = expectedRoots(events.map(eventLeafHash), sizes);
      expect(roots.events).toEqual(expected);
      expect(roots.sealed).toEqual(expected);
    } finally {
      await logs.close();
    }
  });

  it('forks the sealer log where its record leaves the events, and hashes mangled hashes as text', async () => {
    const events = hashes(0, 9000);
    events[5000] = 'NOT A HASH';
    const sealedOwn = hashes(100_000, 1000);
    const logs = new RebuiltLogs(new Set(sizes));
    try {
      events.forEach((hash, i) => {
        if (i === 4096) logs.fork();
        logs.appendEvent(hash);
        if (i >= 4096) logs.appendSealed(sealedOwn[i - 4096] ?? hash);
      });
      for (const hash of sealedOwn.slice(0, 10)) logs.appendSealed(hash);
      expect(logs.eventsSize).toBe(9000);
      expect(logs.sealedSize).toBe(9010);
      const roots = await logs.roots();

      const leaf = (hash: string) =>
        hash === 'NOT A HASH' ? leafHash(new TextEncoder().encode(hash)) : eventLeafHash(hash);
      expect(roots.events).toEqual(expectedRoots(events.map(leaf), sizes));
      const sealedLeaves = [
        ...events.slice(0, 4096),
        ...events.slice(4096).map((hash, i) => sealedOwn[i] ?? hash),
        ...sealedOwn.slice(0, 10),
      ].map(leaf);
      expect(roots.sealed).toEqual(expectedRoots(sealedLeaves, sizes));
    } finally {
      await logs.close();
    }
  });
});
