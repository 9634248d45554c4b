import { timestampedText, timestampFromResponse, timestampRequest } from '@ledger/integrity';
import type { ReadStore, RunnerLogger } from '@ledger/read-store';
import type { Kysely } from 'kysely';
import type { CheckpointTable } from './merkle-tables';
import { RetryingLoop } from './retrying-loop';

export interface CheckpointTimestamperOptions {
  readStore: ReadStore;
  /** `LEDGER_TSA_URL`: where TimeStampReqs are POSTed. */
  url: string;
  logger?: RunnerLogger;
  firstRetryMs?: number;
  maxRetryMs?: number;
  timeoutMs?: number;
}

/** Where trusted time stands, for metrics: counts since the process started. */
export interface TimestampStatus {
  stamped: number;
  /** Requests that failed (no connection, timeout, refusal, a reply that does not check out) and will be retried. */
  failures: number;
}

/**
 * RFC 3161 trusted time for signed checkpoints. The table is the queue: each
 * checkpoint after the newest stamped one (or, on a ledger stamping for the
 * first time, the latest) is sent to the timestamp authority, oldest first,
 * and its token stored beside it. Sealing never waits for the authority: a
 * failure is logged, counted and retried with backoff, and a checkpoint
 * signed while it was down (or before a restart) is stamped when it answers.
 */
export class CheckpointTimestamper {
  private readonly loop: RetryingLoop;
  private readonly counts: TimestampStatus = { stamped: 0, failures: 0 };

  constructor(private readonly options: CheckpointTimestamperOptions) {
    this.loop = new RetryingLoop({
      round: (signal) => this.stampWaiting(signal),
      failed: (error, retryInMs) => {
        this.counts.failures++;
        this.options.logger?.warn(
          { treeSize: this.stamping, retryInMs, err: error },
          'could not get a timestamp for a checkpoint; will retry',
        );
      },
      firstRetryMs: options.firstRetryMs,
      maxRetryMs: options.maxRetryMs,
    });
  }

  /** The checkpoint being stamped, for the log line of a failure. */
  private stamping?: number;

  status(): TimestampStatus {
    return { ...this.counts };
  }

  /** A checkpoint was committed: stamp it, and any still waiting. */
  checkpointSigned(): void {
    this.loop.nudge();
  }

  /** Resolves when every checkpoint signed so far is stamped, or stamping gave up for now. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  stop(): void {
    this.loop.stop();
  }

  private get db(): Kysely<CheckpointTable> {
    return this.options.readStore.db as Kysely<CheckpointTable>;
  }

  /** Every checkpoint waiting, oldest first; a failure leaves the rest for the next round. */
  private async stampWaiting(signal: AbortSignal): Promise<void> {
    for (let next = await this.unstamped(); next && !signal.aborted; next = await this.unstamped()) {
      this.stamping = Number(next.tree_size);
      await this.stamp(next.note, this.stamping);
      this.counts.stamped++;
    }
  }

  /** The oldest checkpoint after the newest stamped one; on a ledger never stamped, the latest. */
  private async unstamped(): Promise<{ tree_size: number | string; note: string } | undefined> {
    const newest = await this.db
      .selectFrom('merkle_checkpoint_timestamps')
      .select((eb) => eb.fn.max('tree_size').as('size'))
      .executeTakeFirst();
    const query = this.db.selectFrom('merkle_checkpoints').select(['tree_size', 'note']);
    return newest?.size === null || newest?.size === undefined
      ? query.orderBy('tree_size', 'desc').limit(1).executeTakeFirst()
      : query.where('tree_size', '>', newest.size).orderBy('tree_size', 'asc').limit(1).executeTakeFirst();
  }

  private async stamp(note: string, treeSize: number): Promise<void> {
    const request = timestampRequest(timestampedText(note));
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: request.der,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!response.ok) throw new Error(`the timestamp authority answered ${response.status}`);
    const stamped = timestampFromResponse(Buffer.from(await response.arrayBuffer()), request);
    await this.db
      .insertInto('merkle_checkpoint_timestamps')
      .values({
        tree_size: treeSize,
        token: stamped.token.toString('base64'),
        gen_time: stamped.time,
        tsa: stamped.tsa,
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('tree_size').doNothing())
      .execute();
    this.options.logger?.info({ treeSize, time: stamped.time }, 'checkpoint timestamped');
  }
}

/** The stored token of the checkpoint of `treeSize`, when it has one: what an evidence bundle carries. */
export async function checkpointTimestamp(
  readStore: ReadStore,
  treeSize: number,
): Promise<Buffer | undefined> {
  const row = await (readStore.db as Kysely<CheckpointTable>)
    .selectFrom('merkle_checkpoint_timestamps')
    .select('token')
    .where('tree_size', '=', treeSize)
    .executeTakeFirst();
  return row ? Buffer.from(row.token, 'base64') : undefined;
}
