import { availableParallelism } from 'node:os';
import { startThread, stopThreads } from '@ledger/platform';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  orderFailure,
  type CheckedLines,
  type EventLinesBatch,
  type EventLinesVerdict,
  type EventScope,
} from './event-lines';

/** Threads that check lines: as many as the machine runs at once, up to 4 (beyond that inflating, on one thread, bounds the pace). */
const THREADS = Math.max(1, Math.min(4, availableParallelism()));
/** Batches sent to a thread and not yet answered before the reader waits: bounds the text held in memory. */
const IN_FLIGHT = 4;
/** Lines go to the threads in batches of about this many bytes: about 700 lines of the bench's bundle. */
const BATCH_BYTES = 1024 * 1024;
/** A batch's buffer: room past BATCH_BYTES for the chunk that fills it (the reader's are at most 256 KiB), so each chunk is copied once. */
const BATCH_ROOM = BATCH_BYTES + 256 * 1024;
/**
 * A thread's young generation: a line's strings and parsed objects die with
 * it, and at V8's default size scavenging them was a tenth of a thread's CPU.
 */
const YOUNG_GENERATION_MB = 48;

/**
 * The checks of v2 events.jsonl lines (see event-lines.ts) on threads of
 * their own: they were nearly all of verify-bundle's CPU, and each line's
 * need nothing from the lines before it. The file's bytes are written here
 * as they are inflated and cut into batches of whole lines; batches go to
 * the threads in turn, and their verdicts come back to `onVerdict` in the
 * order the batches were sent, so the reader takes the lines in file order
 * as it did reading them itself. A batch's buffer is handed to its thread
 * and back, not copied, and filled again: a fresh one for each batch had the
 * reader's thread collecting garbage for a tenth of its time.
 */
export class EventLineThreads {
  private readonly workers: Worker[];
  private readonly answered = new Map<number, EventLinesVerdict>();
  /** The batch being filled, and how much of it is. */
  private batch = Buffer.allocUnsafeSlow(BATCH_ROOM);
  private used = 0;
  /** Batch buffers back from the threads, to fill again. */
  private readonly spare: ArrayBuffer[] = [];
  /** Lines sent so far. */
  private lines = 0;
  private nextId = 0;
  /** The id of the next verdict onVerdict takes. */
  private delivered = 0;
  /** The position of the last event admitted in the verdicts taken. */
  private lastAdmitted?: string;
  private failure?: Error;
  private wake?: () => void;

  constructor(
    scope: EventScope,
    private readonly onVerdict: (lines: CheckedLines) => void,
  ) {
    this.workers = Array.from({ length: THREADS }, () => {
      const worker = startThread(
        join(__dirname, 'event-line-threads-worker'),
        'a line checking thread',
        (error) => this.fail(error),
        { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } },
      );
      worker.postMessage({ scope });
      worker.on('message', (answer: EventLinesVerdict | { id: number; error: string }) =>
        'error' in answer ? this.fail(new Error(answer.error)) : this.receive(answer),
      );
      return worker;
    });
  }

  /** The next bytes of the file; a promise when the reader must wait for the threads to catch up. */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.used + chunk.length > this.batch.length) {
      // A line longer than a batch.
      const grown = Buffer.allocUnsafeSlow(Math.max(this.used + chunk.length, 2 * this.batch.length));
      this.batch.copy(grown, 0, 0, this.used);
      this.batch = grown;
    }
    this.used += chunk.copy(this.batch, this.used);
    return this.used >= BATCH_BYTES ? this.send() : undefined;
  }

  /** Every line written so far checked and taken by onVerdict; true when bytes were left after the last newline, a line with no end. */
  async finish(): Promise<boolean> {
    await this.send();
    await this.answers(0);
    return this.used > 0;
  }

  async close(): Promise<void> {
    await stopThreads(this.workers);
  }

  /** Sends the whole lines of the batch, keeping what follows its last newline for the next. */
  private send(): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    // Nothing written since the last batch (a negative offset would search the whole buffer, the bytes of a batch before).
    if (this.used === 0) return undefined;
    const cut = this.batch.lastIndexOf(0x0a, this.used - 1) + 1;
    if (cut === 0) return undefined;
    const bytes = this.batch.subarray(0, cut);
    const rest = this.used - cut;
    // What follows the last newline is less than a chunk, unless the batch grew to hold a long line.
    const next =
      rest <= BATCH_ROOM && this.spare.length > 0
        ? Buffer.from(this.spare.pop()!)
        : Buffer.allocUnsafeSlow(Math.max(BATCH_ROOM, rest));
    this.used = this.batch.copy(next, 0, cut, this.used);
    this.batch = next;
    const firstLine = this.lines + 1;
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) this.lines++;
    const id = this.nextId++;
    this.workers[id % this.workers.length].postMessage({ id, firstLine, bytes } satisfies EventLinesBatch, [
      bytes.buffer as ArrayBuffer,
    ]);
    const limit = IN_FLIGHT * this.workers.length;
    return this.nextId - this.delivered > limit ? this.answers(limit) : undefined;
  }

  private receive(verdict: EventLinesVerdict): void {
    // A buffer grown for a long line is not kept.
    if (verdict.bytes.buffer.byteLength === BATCH_ROOM) this.spare.push(verdict.bytes.buffer as ArrayBuffer);
    this.answered.set(verdict.id, verdict);
    try {
      for (let next; (next = this.answered.get(this.delivered)) !== undefined; this.delivered++) {
        this.answered.delete(this.delivered);
        this.take(next);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
    this.wake?.();
  }

  /** Hands a verdict on in file order, once the first position of its batch is checked against the batches' before it. */
  private take({ findings, bytes: _, ...verdict }: EventLinesVerdict): void {
    const last = this.lastAdmitted;
    const messages: string[] = [];
    for (const finding of findings)
      if ('message' in finding) messages.push(finding.message);
      else if (last !== undefined && BigInt(finding.position) <= BigInt(last))
        messages.push(`line ${finding.line}${orderFailure(finding.position, last)}`);
    if (verdict.admitted) this.lastAdmitted = verdict.admitted.last;
    this.onVerdict({ ...verdict, findings: messages });
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
