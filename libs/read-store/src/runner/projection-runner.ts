import type { EventStore, StoredEvent } from '@ledger/event-store';
import { type Kysely, type Migration, sql } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrateModule, type ReadStore } from '../read-store';
import { batches } from './batches';
import { CHECKPOINTS_MODULE, checkpointMigrations, type CheckpointTables } from './projection-checkpoints';

/**
 * What a projection (or the sealer) plugs into the runner. `apply` runs inside
 * the transaction that also advances the projection's checkpoint, so its
 * writes land exactly once. It may be rolled back and called again with fewer
 * events, so in-memory state it prepares must start from what `committed`
 * last confirmed, never from an earlier `apply`.
 */
export interface Consumer<DB extends object = object> {
  /** Lowercase letters, digits and underscores: it also names the module's migration table. */
  readonly name: string;
  readonly migrations: Record<string, Migration>;
  /** Rebuilds in-memory state from what is committed at `checkpoint`: at start, and after another process advanced the checkpoint. */
  open?(db: Kysely<DB>, checkpoint: bigint): Promise<void>;
  apply(trx: Kysely<DB>, events: readonly StoredEvent[]): Promise<void>;
  /** The last `apply` committed. */
  committed?(): void;
  /**
   * Starting from position 0, before the first batch: the consumer may drop
   * what only its readers need (indexes), so catching up on the whole log
   * writes fewer pages per event. `caughtUp` must restore it.
   */
  startingFromZero?(trx: Kysely<DB>): Promise<void>;
  /**
   * Runs in the transaction that first reaches the head after each start (or
   * alone, when the runner starts at the head), so the checkpoint never
   * stands at the head without it. Must be idempotent: a crash while catching
   * up leaves a checkpoint short of the head with whatever
   * `startingFromZero` dropped still missing, and the next start, whatever
   * its position, ends here again.
   */
  caughtUp?(trx: Kysely<DB>): Promise<void>;
}

export interface ProjectionStatus {
  name: string;
  /** The last applied position; 0n before the first event. */
  position: bigint;
  head: bigint;
  /** Events behind the head of the store. */
  lagEvents: number;
  /** How long ago the oldest event not yet applied was recorded; 0 when caught up. */
  lagSeconds: number;
  running: boolean;
  /** Why the projection stopped, naming the event; absent while healthy. */
  error?: string;
}

/** The subset of pino the runner uses, so the lib needs no logger of its own. */
export interface RunnerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ProjectionRunnerOptions<DB extends object> {
  store: EventStore;
  readStore: ReadStore;
  consumer: Consumer<DB>;
  /** Most events applied in one transaction while catching up. */
  maxBatchSize?: number;
  /**
   * Once caught up, how long the subscription gathers appends before reading
   * them (see SubscribeOptions.lingerMs). Each batch costs a read of the store
   * and a read-store commit, and on a shared database a WAL flush beside the
   * appends; 20 ms turns hundreds of appends a second into at most 50 batches
   * a second, for 20 ms of added staleness. A backlog is read without pause.
   */
  lingerMs?: number;
  logger?: RunnerLogger;
  clock?: () => Date;
  /** Wait before retrying after the store or read store could not be reached. */
  retryDelayMs?: number;
}

/** A projection met an event it cannot apply and stopped there; the message names the event. */
export class ProjectionStoppedError extends Error {
  constructor(
    message: string,
    readonly details: { projection: string; position: bigint; eventId: string; type: string; stream: string },
  ) {
    super(message);
    this.name = 'ProjectionStoppedError';
  }
}

/** Another process advanced this projection's checkpoint: our in-memory state is stale. */
class CheckpointMovedError extends Error {}

const SILENT: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Feeds a consumer from the store's global order, resuming after its
 * checkpoint. Each batch and its checkpoint advance commit in one read-store
 * transaction, so a crash at any point leaves the consumer's tables exactly
 * as of some checkpoint and nothing is applied twice.
 *
 * The checkpoint advance is a compare-and-set on the previous position: two
 * processes running the same projection cannot both apply one batch; the
 * loser rolls back, reloads and continues after the winner.
 */
export class ProjectionRunner<DB extends object = object> {
  private position = 0n;
  private error?: string;
  private controller?: AbortController;
  private loop?: Promise<void>;
  private waiters = new Set<() => void>();
  /** `consumer.caughtUp` has not yet run since this start. */
  private catchingUp = false;
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;
  private readonly logger: RunnerLogger;
  private readonly clock: () => Date;
  private readonly retryDelayMs: number;

  constructor(private readonly options: ProjectionRunnerOptions<DB>) {
    if (!/^[a-z][a-z0-9_]*$/.test(options.consumer.name)) {
      throw new Error(
        `projection name ${JSON.stringify(options.consumer.name)} must be lowercase letters, digits and underscores`,
      );
    }
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.lingerMs = options.lingerMs ?? 20;
    this.logger = options.logger ?? SILENT;
    this.clock = options.clock ?? (() => new Date());
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  get name(): string {
    return this.options.consumer.name;
  }

  /** Migrates, loads the checkpoint and starts applying in the background. Resolves once running. */
  async start(): Promise<void> {
    if (this.isRunning()) throw new Error(`projection ${this.name} is already running`);
    await this.stop();
    await migrateModule(this.options.readStore, CHECKPOINTS_MODULE, checkpointMigrations);
    await migrateModule(this.options.readStore, this.name, this.options.consumer.migrations);
    await this.reload();
    const { consumer, readStore } = this.options;
    if (this.position === 0n && consumer.startingFromZero)
      await readStore.inWriteTransaction((trx) => consumer.startingFromZero!(trx as unknown as Kysely<DB>));
    this.catchingUp = consumer.caughtUp !== undefined;
    this.error = undefined;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal).then(
      () => this.wake(),
      (error: unknown) => {
        this.error = error instanceof Error ? error.message : String(error);
        this.logger.error({ projection: this.name, err: error }, 'projection stopped');
        this.wake();
      },
    );
  }

  /** Stops after the batch in flight, which commits or rolls back whole. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = undefined;
    this.controller = undefined;
  }

  /** Resolves once everything up to `position` is applied; rejects if the projection stops first. */
  waitFor(position: bigint, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.position >= position) return finish();
        if (!this.isRunning())
          return finish(
            new Error(
              this.error ??
                `projection ${this.name} is not running (at position ${this.position}, waiting for ${position})`,
            ),
          );
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `projection ${this.name} did not reach position ${position} within ${timeoutMs} ms; it is at ${this.position}`,
            ),
          ),
        timeoutMs,
      );
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  async status(): Promise<ProjectionStatus> {
    const { store } = this.options;
    const position = this.position;
    const head = await store.headPosition();
    const lagEvents = head > position ? Number(head - position) : 0;
    let lagSeconds = 0;
    if (lagEvents > 0) {
      for await (const next of store.readAll({ after: position, limit: 1 })) {
        lagSeconds = Math.max(0, (this.clock().getTime() - Date.parse(next.metadata.recordedAt)) / 1000);
      }
    }
    return {
      name: this.name,
      position,
      head,
      lagEvents,
      lagSeconds,
      running: this.isRunning(),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  private isRunning(): boolean {
    return (
      this.loop !== undefined &&
      this.controller !== undefined &&
      this.error === undefined &&
      !this.controller.signal.aborted
    );
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // Its own signal, aborted before an error leaves the loop: closing the
      // batches waits for the subscription's read in flight, which only a live
      // subscription's abort ends.
      const subscription = new AbortController();
      const stopSubscription = () => subscription.abort();
      signal.addEventListener('abort', stopSubscription, { once: true });
      try {
        // Already at the head (a restart after it was reached, or an empty store): no batch will reach it. Asked
        // here, not in start(), so a store unreachable at start-up is retried like any outage, not a failed start.
        if (this.catchingUp && this.position >= (await this.options.store.headPosition())) {
          const { consumer, readStore } = this.options;
          await readStore.inWriteTransaction((trx) => consumer.caughtUp!(trx as unknown as Kysely<DB>));
          this.catchingUp = false;
        }
        const pages = this.options.store.subscribeAll({
          after: this.position,
          signal: subscription.signal,
          lingerMs: this.lingerMs,
        });
        for await (const batch of batches(pages, { maxSize: this.maxBatchSize })) {
          if (signal.aborted) return;
          await this.applyBatch(batch).catch((error: unknown) => {
            subscription.abort();
            throw error;
          });
          // better-sqlite3 resolves everything in microtasks: without a turn of
          // the event loop between batches, catching up on a backlog would keep
          // the service from answering anything until it was done.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        if (error instanceof ProjectionStoppedError) throw error;
        if (error instanceof CheckpointMovedError) {
          this.logger.info(
            { projection: this.name },
            'another process advanced this projection; continuing after its checkpoint',
          );
        } else {
          this.logger.warn(
            { projection: this.name, err: error },
            'projection paused: store or read store unreachable; retrying',
          );
          // A stop rejects the wait early; the loop then sees the aborted signal.
          await sleep(this.retryDelayMs, undefined, { signal }).catch(() => undefined);
        }
        if (!signal.aborted) await this.reloadWhenReachable(signal);
      } finally {
        signal.removeEventListener('abort', stopSubscription);
      }
    }
  }

  private async applyBatch(batch: StoredEvent[]): Promise<void> {
    try {
      await this.commit(batch);
      return;
    } catch (error) {
      if (error instanceof CheckpointMovedError || batch.length === 1) return this.diagnose(batch[0], error);
    }
    // Find the event that failed: everything before it commits, nothing after it is tried.
    for (const event of batch) {
      try {
        await this.commit([event]);
      } catch (error) {
        return this.diagnose(event, error);
      }
    }
  }

  private async commit(events: StoredEvent[]): Promise<void> {
    const { consumer, readStore, store } = this.options;
    const last = events[events.length - 1];
    // One query of the head per batch, and only until the first time it is reached.
    const atHead = this.catchingUp && last.position >= (await store.headPosition());
    await readStore.inWriteTransaction(async (trx) => {
      const advanced = await (trx as Kysely<CheckpointTables>)
        .updateTable('projection_checkpoints')
        .set({
          position: last.position.toString(),
          last_recorded_at: last.metadata.recordedAt,
          updated_at: this.clock().toISOString(),
          error: null,
        })
        .where('name', '=', this.name)
        .where('position', '=', this.position.toString())
        .executeTakeFirst();
      if (Number(advanced.numUpdatedRows) !== 1) throw new CheckpointMovedError();
      await consumer.apply(trx as unknown as Kysely<DB>, events);
      if (atHead) await consumer.caughtUp!(trx as unknown as Kysely<DB>);
    });
    if (atHead) this.catchingUp = false;
    this.position = last.position;
    consumer.committed?.();
    this.wake();
  }

  /**
   * A failure on one event is the event's fault only if the read store is
   * reachable; otherwise it is an outage, and the runner retries rather than
   * blaming an innocent event.
   */
  private async diagnose(event: StoredEvent, cause: unknown): Promise<never> {
    if (cause instanceof CheckpointMovedError || isStorageFailure(cause)) throw cause;
    try {
      await sql`SELECT 1`.execute(this.options.readStore.db);
    } catch {
      throw cause;
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    const message =
      `projection ${this.name} stopped at position ${event.position} (event ${event.eventId}, type ${event.type}, stream ${event.stream}): ${reason}. ` +
      'The event is not skipped: fix the cause and restart, and the projection resumes at this event.';
    await (this.options.readStore.db as Kysely<CheckpointTables>)
      .updateTable('projection_checkpoints')
      .set({ error: message, updated_at: this.clock().toISOString() })
      .where('name', '=', this.name)
      .execute()
      .catch((error: unknown) =>
        this.logger.warn({ projection: this.name, err: error }, 'could not record the projection error'),
      );
    throw new ProjectionStoppedError(message, {
      projection: this.name,
      position: event.position,
      eventId: event.eventId,
      type: event.type,
      stream: event.stream,
    });
  }

  private async reloadWhenReachable(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        return await this.reload();
      } catch (error) {
        this.logger.warn(
          { projection: this.name, err: error },
          'projection could not reload its checkpoint; retrying',
        );
        // A stop rejects the wait early; the loop then sees the aborted signal.
        await sleep(this.retryDelayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private async reload(): Promise<void> {
    const db = this.options.readStore.db as Kysely<CheckpointTables>;
    await db
      .insertInto('projection_checkpoints')
      .values({
        name: this.name,
        position: '0',
        last_recorded_at: null,
        updated_at: this.clock().toISOString(),
        error: null,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await db
      .selectFrom('projection_checkpoints')
      .select('position')
      .where('name', '=', this.name)
      .executeTakeFirstOrThrow();
    this.position = BigInt(row.position);
    await this.options.consumer.open?.(db as unknown as Kysely<DB>, this.position);
    // The checkpoint may have jumped (a rebuild swapped tables in at a later position): whoever waits for it must hear.
    this.wake();
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}

/**
 * The read store could not write at all: a full disk, an I/O error, a lock
 * held too long, PostgreSQL out of resources (class 53). Reads still work, so
 * the reachability check alone would blame the event and stop for good; the
 * runner waits it out instead and resumes once there is room again.
 */
function isStorageFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (/^SQLITE_(FULL|IOERR|BUSY)/.test(code) || /^53[0-9A-Z]{3}$/.test(code));
}
