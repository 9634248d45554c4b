import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventLinesBatch, EventLinesVerdict, EventScope } from './event-lines';

/** Threads that check lines: as many as the machine runs at once, up to 4 (beyond that inflating, on one thread, bounds the pace). */
const THREADS = Math.max(1, Math.min(4, availableParallelism()));
/** Batches sent to a thread and not yet answered before the reader waits: bounds the text held in memory. */
const IN_FLIGHT = 4;

/**
 * The checks of v2 events.jsonl lines (see event-lines.ts) on threads of
 * their own: they were nearly all of verify-bundle's CPU, and each line's
 * need nothing from the lines before it. Batches go to the threads in turn,
 * and their verdicts come back to `onVerdict` in the order the batches were
 * sent, so the reader takes the lines in file order as it did reading them
 * itself. Each batch's bytes are handed over, not copied.
 */
export class EventLineThreads {
  private readonly workers: Worker[];
  private readonly answered = new Map<number, EventLinesVerdict>();
  private nextId = 0;
  /** The id of the next verdict onVerdict takes. */
  private delivered = 0;
  private failure?: Error;
  private wake?: () => void;

  constructor(
    scope: EventScope,
    private readonly onVerdict: (verdict: EventLinesVerdict) => void,
  ) {
    // Compiled JavaScript in a build; under jest, whose hook does not reach threads, TypeScript compiled on load.
    const typescript = extname(__filename) === '.ts';
    this.workers = Array.from({ length: THREADS }, () => {
      const worker = new Worker(join(__dirname, `event-line-threads-worker${extname(__filename)}`), {
        ...(typescript ? { execArgv: ['--require', '@swc-node/register'] } : {}),
      });
      worker.postMessage({ scope });
      worker.on('message', (answer: EventLinesVerdict | { id: number; error: string }) =>
        'error' in answer ? this.fail(new Error(answer.error)) : this.receive(answer),
      );
      worker.once('error', (error) => this.fail(error));
      worker.once('exit', (code) => this.fail(new Error(`a line checking thread exited with code ${code}`)));
      return worker;
    });
  }

  /** Sends whole lines, the first numbered `firstLine`; a promise when the reader must wait for the threads to catch up. */
  check(firstLine: number, bytes: Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    this.workers[id % this.workers.length].postMessage({ id, firstLine, bytes } satisfies EventLinesBatch, [
      bytes.buffer as ArrayBuffer,
    ]);
    const limit = IN_FLIGHT * this.workers.length;
    return this.nextId - this.delivered > limit ? this.answers(limit) : undefined;
  }

  /** Every batch sent so far answered and taken by onVerdict. */
  finish(): Promise<void> {
    return this.answers(0);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((worker) => {
        worker.removeAllListeners('exit');
        return worker.terminate();
      }),
    );
  }

  private receive(verdict: EventLinesVerdict): void {
    this.answered.set(verdict.id, verdict);
    try {
      for (let next; (next = this.answered.get(this.delivered)) !== undefined; this.delivered++) {
        this.answered.delete(this.delivered);
        this.onVerdict(next);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
    this.wake?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  /** Resolves once no more than `pending` batches are untaken. */
  private async answers(pending: number): Promise<void> {
    while (this.nextId - this.delivered > pending) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure) throw this.failure;
  }
}
