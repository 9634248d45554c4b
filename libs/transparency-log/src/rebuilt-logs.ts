import { isSha256Hex, leafHash } from '@ledger/integrity';
import { Buffer } from 'node:buffer';
import { startThread, stopThreads } from '@ledger/platform';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';

/** Leaves per message to the hashing thread: 128 KiB, so the hand-off costs nothing per event. */
const BATCH = 4096;
const HASH_BYTES = 32;

/** From the verifier to the hashing thread (see rebuilt-logs-worker). */
export type ToHashingThread =
  | {
      kind: 'leaves';
      log: 'events' | 'sealed';
      /** 32 bytes a leaf: an event hash's raw bytes, or, at the indexes in `leafHashes`, the leaf hash itself. */
      bytes: Uint8Array;
      leafHashes: number[];
    }
  | { kind: 'fork' }
  | { kind: 'finish' };

export interface RebuiltRoots {
  /** The events' log's root at each size asked for that it reached. */
  events: Map<number, Uint8Array>;
  /** The sealer's log's root at each size asked for that it reached. */
  sealed: Map<number, Uint8Array>;
}

/**
 * The two Merkle logs verify rebuilds, the events' and the sealer's leaf
 * record's, hashed on a thread of their own: their leaf and node hashes were a
 * third of the walk's CPU, and nothing in the walk needs a root before it ends.
 * The leaves go over in batches of raw bytes, transferred, not copied. The
 * sealer's log is the events' one while its record matches them leaf for
 * leaf; from the fork on, it grows by its own leaves.
 */
export class RebuiltLogs {
  private readonly worker: Worker;
  private readonly done: Promise<RebuiltRoots>;
  private readonly batches = { events: newBatch(), sealed: newBatch() };
  forked = false;
  eventsSize = 0;
  sealedSize = 0;

  constructor(rootsAt: ReadonlySet<number>) {
    let worker!: Worker;
    this.done = new Promise((resolve, reject) => {
      worker = startThread(join(__dirname, 'rebuilt-logs-worker'), 'the Merkle hashing thread', reject, {
        workerData: { rootsAt: [...rootsAt] },
      });
      worker.once('message', (roots: RebuiltRoots) => resolve(roots));
    });
    this.worker = worker;
    // Seen by roots(); a walk that throws first never asks, and must not crash the process unheard.
    this.done.catch(() => undefined);
  }

  appendEvent(hashHex: string): void {
    this.add('events', hashHex);
    this.eventsSize++;
    if (!this.forked) this.sealedSize = this.eventsSize;
  }

  /** The sealer's log stops being the events' one: it keeps its leaves so far and grows only by appendSealed. */
  fork(): void {
    if (this.forked) return;
    this.flush('events');
    this.worker.postMessage({ kind: 'fork' } satisfies ToHashingThread);
    this.forked = true;
  }

  appendSealed(hashHex: string): void {
    this.fork();
    this.add('sealed', hashHex);
    this.sealedSize++;
  }

  /** Every root asked for, once every leaf appended so far is hashed. */
  async roots(): Promise<RebuiltRoots> {
    this.flush('events');
    this.flush('sealed');
    this.worker.postMessage({ kind: 'finish' } satisfies ToHashingThread);
    return this.done;
  }

  async close(): Promise<void> {
    await stopThreads([this.worker]);
  }

  private add(log: 'events' | 'sealed', hashHex: string): void {
    const batch = this.batches[log];
    const offset = batch.count++ * HASH_BYTES;
    if (isSha256Hex(hashHex)) {
      batch.bytes.write(hashHex, offset, 'hex');
    } else {
      // A stored hash an administrator mangled still needs a leaf; its own finding reports it.
      batch.bytes.set(leafHash(new TextEncoder().encode(hashHex)), offset);
      batch.leafHashes.push(batch.count - 1);
    }
    if (batch.count === BATCH) this.flush(log);
  }

  private flush(log: 'events' | 'sealed'): void {
    const { bytes, count, leafHashes } = this.batches[log];
    if (count === 0) return;
    this.worker.postMessage(
      {
        kind: 'leaves',
        log,
        bytes: bytes.subarray(0, count * HASH_BYTES),
        leafHashes,
      } satisfies ToHashingThread,
      [bytes.buffer],
    );
    this.batches[log] = newBatch();
  }
}

/** A buffer of its own (never a slice of Node's shared pool), so it can be transferred. */
function newBatch() {
  return { bytes: Buffer.allocUnsafeSlow(BATCH * HASH_BYTES), count: 0, leafHashes: [] as number[] };
}
