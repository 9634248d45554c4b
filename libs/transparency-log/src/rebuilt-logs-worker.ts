import { appendLeaf, emptyFrontier, type Frontier, frontierRoot, leafHash } from '@ledger/integrity';
import { parentPort, workerData } from 'node:worker_threads';
import type { RebuiltRoots, ToHashingThread } from './rebuilt-logs';

/** The hashing thread of RebuiltLogs: the events' log, and the sealer's once it forks from it. */
const rootsAt = new Set((workerData as { rootsAt: number[] }).rootsAt);
let events: Frontier = emptyFrontier();
let sealed: Frontier | undefined;
/** The size of the events' log when the sealer's left it. */
let forkedAt: number | undefined;
const roots: RebuiltRoots = { events: new Map(), sealed: new Map() };

parentPort!.on('message', (message: ToHashingThread) => {
  switch (message.kind) {
    case 'leaves': {
      const { bytes, leafHashes } = message;
      const given = new Set(leafHashes);
      for (let i = 0; i * 32 < bytes.length; i++) {
        const leaf = bytes.subarray(i * 32, i * 32 + 32);
        const hash = given.has(i) ? leaf : leafHash(leaf);
        if (message.log === 'events') {
          events = appendLeaf(events, hash).frontier;
          if (rootsAt.has(events.size)) roots.events.set(events.size, frontierRoot(events));
        } else {
          sealed = appendLeaf(sealed!, hash).frontier;
          if (rootsAt.has(sealed.size)) roots.sealed.set(sealed.size, frontierRoot(sealed));
        }
      }
      return;
    }
    case 'fork':
      sealed = events;
      forkedAt = events.size;
      return;
    case 'finish': {
      // Up to the fork the two logs are one: the sealer's roots there are the events' roots.
      const shared = forkedAt ?? events.size;
      for (const [size, root] of roots.events) if (size <= shared) roots.sealed.set(size, root);
      parentPort!.postMessage(roots);
      return;
    }
  }
});
