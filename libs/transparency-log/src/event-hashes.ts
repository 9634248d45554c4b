import type { UnparsedEvent } from '@ledger/event-store';
import { eventHash, type HashedEnvelope } from '@ledger/integrity';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** What verify hashes: an event as read, its content parsed or still the store's JSON text. */
export type VerifiedEvent = (HashedEnvelope | Omit<UnparsedEvent, 'position'>) & {
  integrity: { prevHash: string; hash: string };
};

/**
 * Each event's hash recomputed from its content, or `unhashable: <why>` for
 * content with no canonical form (which can only be damage).
 */
export function recompute(events: readonly VerifiedEvent[]): string[] {
  return events.map((event) => {
    try {
      return eventHash(
        'dataJson' in event
          ? { ...event, data: JSON.parse(event.dataJson), metadata: JSON.parse(event.metadataJson) }
          : event,
      );
    } catch (error) {
      return `unhashable: ${error instanceof Error ? error.message : String(error)}`;
    }
  });
}

/** Events per message to a worker: enough to amortise the message, few enough that a 100-event ledger still uses one. */
const BATCH = 64;

export interface RecomputedBatch<E> {
  events: E[];
  /** `hashes[i]` is the hash recomputed from `events[i]` (see recompute). */
  hashes: string[];
}

/**
 * The events of `events`, in their order and in batches, each with its hash
 * recomputed. Recomputing (parsing the stored JSON, its canonical form,
 * SHA-256) is most of what verify does per event and needs nothing but the
 * event, so it runs on worker threads, on the cores the verifier's own pass
 * leaves idle, a few batches ahead of the caller. The caller still sees the
 * events in the store's order, so it names the first damaged position exactly
 * as a single pass would. Memory stays bounded: at most `2 × workers` batches
 * are in flight.
 */
export async function* recomputedInOrder<E extends VerifiedEvent>(
  events: AsyncIterable<E>,
  workers = Math.min(availableParallelism() - 1, 4),
): AsyncGenerator<RecomputedBatch<E>> {
  const pool = workers > 0 ? new HashPool(workers) : undefined;
  const inFlight: Array<{ events: E[]; recomputed: Promise<string[]> }> = [];
  const ahead = pool ? 2 * workers : 0;
  try {
    let batch: E[] = [];
    for await (const event of events) {
      batch.push(event);
      if (batch.length < BATCH) continue;
      const recomputed = pool ? pool.recompute(batch) : Promise.resolve(recompute(batch));
      // A failed worker fails every batch out; the first awaited reports it, the rest must not crash the process unheard.
      recomputed.catch(() => undefined);
      inFlight.push({ events: batch, recomputed });
      batch = [];
      while (inFlight.length > ahead) {
        const next = inFlight.shift()!;
        yield { events: next.events, hashes: await next.recomputed };
      }
    }
    for (const next of inFlight) yield { events: next.events, hashes: await next.recomputed };
    // The last, short batch is hashed here rather than queued behind the workers.
    if (batch.length > 0) yield { events: batch, hashes: recompute(batch) };
  } finally {
    await pool?.close();
  }
}

/** Worker threads that recompute batches, each answered under the id it was sent with. */
class HashPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<
    number,
    { resolve(hashes: string[]): void; reject(error: unknown): void }
  >();
  private sent = 0;
  private failure?: Error;

  constructor(size: number) {
    // The worker is this library's own module: compiled JavaScript in a build, TypeScript under a loader hook.
    const script = join(__dirname, `event-hash-worker${extname(__filename)}`);
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(script);
      worker.on('message', ({ id, hashes }: { id: number; hashes: string[] }) => {
        this.waiting.get(id)?.resolve(hashes);
        this.waiting.delete(id);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`an event-hash worker exited with code ${code}`));
      });
      return worker;
    });
  }

  recompute(events: readonly VerifiedEvent[]): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.sent++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.workers[id % this.workers.length].postMessage({ id, events });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the event-hash workers were stopped');
    // Batches still out belong to a walk that has stopped (it threw): no one is left to hear them fail.
    this.waiting.clear();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
  }
}
