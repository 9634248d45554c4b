import type { UnparsedEvent } from '@ledger/event-store';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ContentVerdict } from './event-hashes';

/** Events per message to the checking thread: the hand-off costs little per event, and a batch is about 1 MiB of text. */
const BATCH = 1000;
/** Batches sent and not yet answered before the walk waits: bounds the text held in memory. */
const IN_FLIGHT = 4;

/** To the checking thread: a batch of events as stored text, each with its place in the walk. */
export interface ContentBatch {
  events: UnparsedEvent[];
  places: WalkPlace[];
}

/** What a finding names of its event. */
export type CheckedEvent = Pick<UnparsedEvent, 'eventId' | 'stream' | 'revision' | 'position' | 'integrity'>;

/** From the checking thread, for each batch: the events whose content does not match (a hash or a kept value). */
export type ContentVerdicts = Array<{ event: CheckedEvent; place: WalkPlace; verdict: ContentVerdict }>;

/** Where an event stands in the walk: its leaf, and the order its findings take among the walk's. */
export interface WalkPlace {
  leafIndex: number;
  order: number;
}

type OnVerdict = (event: CheckedEvent, place: WalkPlace, verdict: ContentVerdict) => void;

/**
 * Each event's content, its hash recomputed and its kept values opened
 * (see checkedText), on a thread of its own: that was over half of verify's
 * CPU per event, and nothing else in the walk waits for it. Events go over in
 * batches; only the events whose content does not match come back, with
 * their place in the walk, so their findings sort as if found in order.
 * Nothing of a batch is kept here once sent: text held until the thread
 * answered outlived the young generation, and the heap grew by half.
 */
export class ContentChecks {
  private readonly worker: Worker;
  private batch: ContentBatch = { events: [], places: [] };
  /** Batches sent and not yet answered. */
  private unanswered = 0;
  private failure?: Error;
  private answered?: () => void;

  constructor(private readonly onVerdict: OnVerdict) {
    // Compiled JavaScript in a build; under jest, whose hook does not reach threads, TypeScript compiled on load.
    const typescript = extname(__filename) === '.ts';
    this.worker = new Worker(join(__dirname, `content-checks-worker${extname(__filename)}`), {
      ...(typescript ? { execArgv: ['--require', '@swc-node/register'] } : {}),
    });
    this.worker.on('message', (verdicts: ContentVerdicts) => this.receive(verdicts));
    this.worker.once('error', (error) => this.fail(error));
    this.worker.once('exit', (code) =>
      this.fail(new Error(`the content checking thread exited with code ${code}`)),
    );
  }

  /** Queues one event; a promise when the walk must wait for the thread to catch up. */
  add(event: UnparsedEvent, place: WalkPlace): Promise<void> | undefined {
    this.batch.events.push(event);
    this.batch.places.push(place);
    if (this.batch.events.length < BATCH) return undefined;
    this.send();
    return this.unanswered >= IN_FLIGHT ? this.answers(IN_FLIGHT - 1) : undefined;
  }

  /** Every event queued so far checked, its findings handed to onVerdict. */
  async finish(): Promise<void> {
    if (this.batch.events.length > 0) this.send();
    await this.answers(0);
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private send(): void {
    this.worker.postMessage(this.batch);
    this.unanswered++;
    this.batch = { events: [], places: [] };
  }

  private receive(verdicts: ContentVerdicts): void {
    this.unanswered--;
    for (const { event, place, verdict } of verdicts) this.onVerdict(event, place, verdict);
    this.answered?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.answered?.();
  }

  /** Resolves once no more than `pending` batches are unanswered. */
  private async answers(pending: number): Promise<void> {
    while (this.unanswered > pending) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.answered = resolve));
    }
    if (this.failure) throw this.failure;
  }
}
