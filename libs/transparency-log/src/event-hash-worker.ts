import { parentPort } from 'node:worker_threads';
import { recompute, type VerifiedEvent } from './event-hashes';

/** One of verify's hashing threads (see recomputedInOrder): a batch of events in, their recomputed hashes out. */
parentPort?.on('message', ({ id, events }: { id: number; events: VerifiedEvent[] }) => {
  parentPort?.postMessage({ id, hashes: recompute(events) });
});
