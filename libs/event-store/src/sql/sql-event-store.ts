import { chainEvents } from '@ledger/integrity';
import { type Kysely, sql, type Transaction } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppendNotifier } from '../append-notifier';
import { acknowledgeDuplicates } from '../duplicates';
import { concurrencyConflict } from '../errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  UnparsedEvent,
} from '../types';
import { validateAppend } from '../validate-append';
import type { EventsTable, LedgerDb } from './schema';

export interface SqlEventStoreOptions {
  /** The ledger's clock for `recordedAt`; injectable so tests can pin it. */
  clock?: () => Date;
  /** Rows per page when reading: bounds memory whatever the log's size. */
  pageSize?: number;
  /** How often a live subscription looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** Most appends that share one commit. */
  maxGroupCommit?: number;
}

interface PendingAppend {
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The append/read/subscribe logic both SQL adapters share. Adapters differ only
 * in how a write transaction serialises appenders and how wake-ups travel.
 *
 * Global order: every append runs under one store-wide write lock and takes
 * position max(position)+1. Commits therefore become visible in position order,
 * positions are gapless, and a reader paging by position can never pass over an
 * event that commits late. That is the property subscriptions rely on.
 */
export abstract class SqlEventStore implements EventStore {
  abstract readonly kind: string;
  protected readonly notifier = new AppendNotifier();
  private readonly clock: () => Date;
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxGroup: number;
  private readonly pending: PendingAppend[] = [];
  private writing = false;

  protected constructor(
    protected readonly db: Kysely<LedgerDb>,
    options: SqlEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.pageSize = options.pageSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.maxGroup = options.maxGroupCommit ?? 256;
  }

  /**
   * Runs `work` holding the store-wide write lock, committing when it resolves
   * and rolling back when it throws. `stored` says whether the committed work
   * stored events, for an adapter that announces appends at commit.
   */
  protected abstract inWriteTransaction<T>(
    work: (trx: Transaction<LedgerDb> | Kysely<LedgerDb>) => Promise<T>,
    stored: (result: T) => boolean,
  ): Promise<T>;

  /**
   * Group commit: appends that arrive while a write transaction is open wait
   * and then share the next one, each inside its own savepoint. One durable
   * commit (one fsync) then acknowledges many callers, and a failing append
   * (a conflict, a reused id) rolls back to its savepoint without touching
   * the others. Each caller is answered only after the shared commit.
   */
  async append(
    stream: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    validateAppend(stream, events, expectedRevision);
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ stream, events, expectedRevision, resolve, reject });
      if (!this.writing) void this.writePending();
    });
  }

  private async writePending(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      // Let requests already read off their sockets reach append first: on SQLite a commit blocks the
      // event loop, so without this turn each group would hold little more than the append that started it.
      await new Promise((resolve) => setImmediate(resolve));
      const group = this.pending.splice(0, this.maxGroup);
      let outcomes: Array<{ result: AppendResult } | { error: unknown }>;
      try {
        outcomes = await this.inWriteTransaction(async (trx) => {
          const settled: Array<{ result: AppendResult } | { error: unknown }> = [];
          for (const item of group) {
            // A lone append needs no savepoint: its failure rolls back the whole transaction anyway.
            if (group.length > 1) await sql`SAVEPOINT ledger_append`.execute(trx);
            try {
              settled.push({
                result: await this.appendWithin(trx, item.stream, item.events, item.expectedRevision),
              });
              if (group.length > 1) await sql`RELEASE SAVEPOINT ledger_append`.execute(trx);
            } catch (error) {
              if (group.length === 1) throw error;
              await sql`ROLLBACK TO SAVEPOINT ledger_append`.execute(trx);
              await sql`RELEASE SAVEPOINT ledger_append`.execute(trx);
              settled.push({ error });
            }
          }
          return settled;
        }, storedAny);
      } catch (error) {
        // The commit itself failed (or a lone append did): nothing of this group is stored.
        outcomes = group.map(() => ({ error }));
      }
      if (storedAny(outcomes)) this.notifier.notify();
      outcomes.forEach((outcome, i) =>
        'result' in outcome ? group[i].resolve(outcome.result) : group[i].reject(outcome.error),
      );
    }
    this.writing = false;
  }

  /** One append inside an open write transaction: duplicates, the revision check, then the hash-chained rows. */
  private async appendWithin(
    trx: Transaction<LedgerDb> | Kysely<LedgerDb>,
    stream: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const eventIds = events.map((e) => e.eventId);
    // One statement for all an append must know: on PostgreSQL each statement is a round trip under the store-wide lock.
    const streamHead = () =>
      trx.selectFrom('events').where('stream', '=', stream).orderBy('revision', 'desc').limit(1);
    const state = await trx
      .selectNoFrom((eb) => [
        eb
          .exists(eb.selectFrom('events').select('position').where('event_id', 'in', eventIds))
          .as('duplicate'),
        streamHead().select('revision').as('revision'),
        streamHead().select('hash').as('hash'),
        eb
          .selectFrom('events')
          .select((e) => e.fn.max('position').as('max'))
          .as('head'),
      ])
      .executeTakeFirstOrThrow();
    if (state.duplicate) {
      const existing = await trx.selectFrom('events').selectAll().where('event_id', 'in', eventIds).execute();
      return acknowledgeDuplicates(stream, events, existing.map(toStoredEvent));
    }

    const actual = state.revision === null ? null : Number(state.revision);
    if (
      expectedRevision === 'no_stream'
        ? actual !== null
        : typeof expectedRevision === 'number' && actual !== expectedRevision
    )
      throw concurrencyConflict(stream, expectedRevision, actual);

    const recordedAt = this.clock().toISOString();
    const stamped = events.map((event) => ({ ...event, metadata: { ...event.metadata, recordedAt } }));
    const head = actual === null || state.hash === null ? undefined : { revision: actual, hash: state.hash };
    const lastPosition = BigInt(state.head ?? 0);
    const rows: EventsTable[] = chainEvents(stream, stamped, head).map((event, i) => ({
      position: (lastPosition + BigInt(i + 1)).toString(),
      event_id: event.eventId,
      stream,
      revision: event.revision,
      type: event.type,
      schema_version: event.schemaVersion,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
      prev_hash: event.integrity.prevHash,
      hash: event.integrity.hash,
    }));
    // Parameter limits (SQLite 32766, PostgreSQL 65535) bound the rows per statement.
    for (let i = 0; i < rows.length; i += 1000)
      await trx
        .insertInto('events')
        .values(rows.slice(i, i + 1000))
        .execute();
    return {
      duplicate: false,
      events: rows.map((r) => ({
        eventId: r.event_id,
        revision: Number(r.revision),
        position: BigInt(r.position),
        hash: r.hash,
      })),
      nextExpectedRevision: (actual ?? -1) + events.length,
    };
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<StoredEvent> {
    const backwards = options.direction === 'backwards';
    let remaining = options.limit ?? Infinity;
    let cursor = options.from;
    while (remaining > 0) {
      let query = this.db
        .selectFrom('events')
        .selectAll()
        .where('stream', '=', stream)
        .orderBy('revision', backwards ? 'desc' : 'asc')
        .limit(Math.min(this.pageSize, remaining));
      if (cursor !== undefined) query = query.where('revision', backwards ? '<=' : '>=', cursor);
      const page = await query.execute();
      for (const row of page) yield toStoredEvent(row);
      if (page.length < this.pageSize) return;
      remaining -= page.length;
      cursor = Number(page[page.length - 1].revision) + (backwards ? -1 : 1);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    for await (const page of this.pagesOfAll(options)) for (const row of page) yield toStoredEvent(row);
  }

  async *readAllUnparsed(options: ReadAllOptions = {}): AsyncIterable<UnparsedEvent> {
    for await (const page of this.pagesOfAll(options)) for (const row of page) yield toUnparsedEvent(row);
  }

  private async *pagesOfAll(options: ReadAllOptions): AsyncIterable<EventsTable[]> {
    let remaining = options.limit ?? Infinity;
    let after = options.after ?? 0n;
    while (remaining > 0) {
      const page = await this.db
        .selectFrom('events')
        .selectAll()
        .where('position', '>', after.toString())
        .orderBy('position', 'asc')
        .limit(Math.min(this.pageSize, remaining))
        .execute();
      yield page;
      if (page.length < this.pageSize) return;
      remaining -= page.length;
      after = BigInt(page[page.length - 1].position);
    }
  }

  async *subscribeAll(options: SubscribeOptions = {}): AsyncIterable<StoredEvent> {
    const { signal, lingerMs = 0 } = options;
    let after = options.after ?? 0n;
    while (!signal?.aborted) {
      const seen = this.notifier.current;
      let delivered = 0;
      for await (const event of this.readAll({ after, limit: this.pageSize })) {
        if (signal?.aborted) return;
        yield event;
        after = event.position;
        delivered++;
      }
      if (delivered < this.pageSize) {
        await this.notifier.wait(seen, this.pollIntervalMs, signal);
        // Only a wake-up lingers: a poll that found nothing new to wait for reads on at once.
        // An abort ends the linger early (it rejects), and the loop then sees the signal.
        if (lingerMs > 0 && this.notifier.current !== seen)
          await sleep(lingerMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  async findByEventIds(eventIds: string[]): Promise<StoredEvent[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.db.selectFrom('events').selectAll().where('event_id', 'in', eventIds).execute();
    return rows.map(toStoredEvent);
  }

  async headPosition(): Promise<bigint> {
    const head = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('position').as('max'))
      .executeTakeFirst();
    return BigInt(head?.max ?? 0);
  }

  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}

function storedAny(outcomes: ReadonlyArray<{ result: AppendResult } | { error: unknown }>): boolean {
  return outcomes.some((o) => 'result' in o && !o.result.duplicate);
}

export function toStoredEvent(row: EventsTable): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    stream: row.stream,
    revision: Number(row.revision),
    position: BigInt(row.position),
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    integrity: { prevHash: row.prev_hash, hash: row.hash },
  };
}

function toUnparsedEvent(row: EventsTable): UnparsedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    stream: row.stream,
    revision: Number(row.revision),
    position: BigInt(row.position),
    dataJson: row.data,
    metadataJson: row.metadata,
    integrity: { prevHash: row.prev_hash, hash: row.hash },
  };
}
