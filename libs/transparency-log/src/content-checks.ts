import { SQLITE_EVENT_ROWS_MODULE, type EventHeader, type UnparsedEvent } from '@ledger/event-store';
import { startThread, stopThreads } from '@ledger/platform';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ContentVerdict } from './event-hashes';

/** Events per message to a checking thread: the hand-off costs little per event, and a batch is about 1 MiB of text. */
const BATCH = 1000;
/** Batches sent to a thread and not yet answered before the walk waits: bounds the text held in memory. */
const IN_FLIGHT = 4;

/**
 * To a checking thread: a batch of events, each with its content as stored,
 * or, where the thread reads a SQLite file itself, the positions the batch
 * spans.
 */
export type ContentBatch =
  { id: number; events: UnparsedEvent[] } | { id: number; range: { after: number; until: number } };

/** What a finding names of its event. */
export type CheckedEvent = EventHeader;

/** From a checking thread, for each batch: the events whose content does not match (a hash or a kept value). */
export interface ContentVerdicts {
  id: number;
  /** How many events the thread checked: as many as the walk placed in the batch, or some went unchecked. */
  checked: number;
  flagged: Array<{ event: CheckedEvent; verdict: ContentVerdict }>;
}

/** Where an event stands in the walk: its leaf, and the order its findings take among the walk's. */
export interface WalkPlace {
  leafIndex: number;
  order: number;
}

type OnVerdict = (event: CheckedEvent, place: WalkPlace, verdict: ContentVerdict) => void;

/** A batch being filled or waiting for its answer: where each of its events stands in the walk, by position. */
interface Pending {
  positions: number[];
  places: WalkPlace[];
}

/**
 * Each event's content, its hash recomputed and its kept values opened
 * (see checkedText), on threads of their own: that was over half of verify's
 * CPU per event, and nothing else in the walk waits for it. Batches go to
 * the threads in turn; only the events whose content does not match come
 * back, and their findings take the places the walk gave them, so they sort
 * as if found in order.
 *
 * Given a SQLite file, each thread opens it read-only and reads its batches'
 * rows itself: the walk then reads only each event's header, and no event's
 * text is copied between threads (handing the text over cost the walk as
 * much as reading it). Otherwise the events go over as read; nothing of a
 * batch is kept here once sent: text held until the thread answered outlived
 * the young generation, and the heap grew by half.
 */
export class ContentChecks {
  private readonly workers: Worker[];
  /** Whether the threads read their batches' rows themselves. */
  private readonly reads: boolean;
  private readonly pending = new Map<number, Pending>();
  private batch: UnparsedEvent[] = [];
  private filling: Pending = { positions: [], places: [] };
  private sentUntil = 0;
  private nextId = 0;
  private failure?: Error;
  private answered?: () => void;

  constructor(
    private readonly onVerdict: OnVerdict,
    { sqliteFile, threads }: { sqliteFile?: string; threads: number },
  ) {
    this.workers = Array.from({ length: threads }, () => {
      const worker = startThread(
        join(__dirname, 'content-checks-worker'),
        'a content checking thread',
        (error) => this.fail(error),
        { workerData: { sqliteFile, rowsModule: SQLITE_EVENT_ROWS_MODULE } },
      );
      worker.on('message', (verdicts: ContentVerdicts) => this.receive(verdicts));
      return worker;
    });
    this.reads = sqliteFile !== undefined;
  }

  /**
   * Queues one event: as read, or only its header where the threads read
   * their own rows. A promise when the walk must wait for the threads to
   * catch up.
   */
  add(event: UnparsedEvent | EventHeader, place: WalkPlace): Promise<void> | undefined {
    if (!this.reads) this.batch.push(event as UnparsedEvent);
    this.filling.positions.push(Number(event.position));
    this.filling.places.push(place);
    if (this.filling.places.length < BATCH) return undefined;
    this.send();
    const limit = IN_FLIGHT * this.workers.length;
    return this.pending.size >= limit ? this.answers(limit - 1) : undefined;
  }

  /** Every event queued so far checked, its findings handed to onVerdict. */
  async finish(): Promise<void> {
    if (this.filling.places.length > 0) this.send();
    await this.answers(0);
  }

  async close(): Promise<void> {
    await stopThreads(this.workers);
  }

  private send(): void {
    const id = this.nextId++;
    const { positions } = this.filling;
    const until = positions[positions.length - 1];
    this.workers[id % this.workers.length].postMessage(
      (this.reads
        ? { id, range: { after: this.sentUntil, until } }
        : { id, events: this.batch }) satisfies ContentBatch,
    );
    this.pending.set(id, this.filling);
    this.sentUntil = until;
    this.batch = [];
    this.filling = { positions: [], places: [] };
  }

  private receive({ id, checked, flagged }: ContentVerdicts): void {
    const { positions, places } = this.pending.get(id)!;
    this.pending.delete(id);
    // A thread reading its own rows met other rows than the walk did: an event seen but not checked must not pass.
    if (checked !== positions.length)
      this.fail(
        new Error(
          `positions ${positions[0]} to ${positions[positions.length - 1]}: the walk read ${positions.length} events and ${checked} were read for their content; the log changed while it was verified`,
        ),
      );
    for (const { event, verdict } of flagged) {
      const at = positions.indexOf(Number(event.position));
      // Only rows written into the middle of the log while it was verified can be where the walk found none.
      if (at < 0)
        this.fail(new Error(`position ${event.position} was read for its content but not by the walk`));
      else this.onVerdict(event, places[at], verdict);
    }
    this.answered?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.answered?.();
  }

  /** Resolves once no more than `pending` batches are unanswered. */
  private async answers(pending: number): Promise<void> {
    while (this.pending.size > pending) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.answered = resolve));
    }
    if (this.failure) throw this.failure;
  }
}
