import { parentPort } from 'node:worker_threads';
import type { HashedEnvelope } from '@ledger/integrity';
import { recomputeHashes } from './event-hashes';

/** One of verify's hashing threads (see withRecomputedHashes): a batch of events in, their recomputed hashes out. */
parentPort?.on('message', ({ id, events }: { id: number; events: HashedEnvelope[] }) => {
  parentPort?.postMessage({ id, hashes: recomputeHashes(events) });
});
