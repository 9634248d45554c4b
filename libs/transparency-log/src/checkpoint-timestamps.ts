import { timestampedText, timestampFromResponse, timestampRequest } from '@ledger/integrity';
import type { ReadStore, RunnerLogger } from '@ledger/read-store';
import type { Kysely } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckpointTable } from './merkle-tables';

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
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private again = false;
  private readonly counts: TimestampStatus = { stamped: 0, failures: 0 };

  constructor(private readonly options: CheckpointTimestamperOptions) {}

  status(): TimestampStatus {
    return { ...this.counts };
  }

  /** A checkpoint was committed: stamp it, and any still waiting. */
  checkpointSigned(): void {
    if (this.stopping.signal.aborted) return;
    this.again = true;
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves when every checkpoint signed so far is stamped, or stamping gave up for now. */
  async idle(): Promise<void> {
    await this.running;
  }

  stop(): void {
    this.stopping.abort();
  }

  private get db(): Kysely<CheckpointTable> {
    return this.options.readStore.db as Kysely<CheckpointTable>;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.again && !this.stopping.signal.aborted) {
      this.again = false;
      let treeSize: number | undefined;
      try {
        for (let next = await this.unstamped(); next; next = await this.unstamped()) {
          if (this.stopping.signal.aborted) return;
          treeSize = Number(next.tree_size);
          await this.stamp(next.note, treeSize);
          this.counts.stamped++;
          failures = 0;
        }
      } catch (error) {
        this.counts.failures++;
        const retryInMs = Math.min(
          this.options.maxRetryMs ?? 60_000,
          (this.options.firstRetryMs ?? 1000) * 2 ** failures++,
        );
        this.options.logger?.warn(
          { treeSize, retryInMs, err: error },
          'could not get a timestamp for a checkpoint; will retry',
        );
        this.again = true;
        // A stop rejects the wait early; the loop then sees the aborted signal.
        await sleep(retryInMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
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
