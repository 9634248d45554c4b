import { type Kysely } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppendNotifier } from '../append-notifier';
import { concurrencyConflict } from '../errors';
import { openStored, sealForAppend, withoutValues, type SealedNewEvent } from '../sealing';
import type {
  AppendResult,
  ErasableFieldsOf,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  UnparsedEvent,
  ValueErasure,
} from '../types';
import { validateAppend } from '../validate-append';
import type { ErasableValues } from '@ledger/integrity';
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
  /** Where each event holds erasable values (the domain's schemas say); without it every event is hashed as stated (scheme 1). */
  erasableFields?: ErasableFieldsOf;
}

/** An events row as read, with the erasable values kept beside it (NULL for scheme 1). */
export type EventRow = EventsTable & { erasable: string | null };

/** Events enough in one group commit that it stops gathering appends still arriving. */
const GATHER_EVENTS = 500;

/** One caller's append, validated, waiting for (or inside) a group commit. */
export interface AppendRequest {
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

/** What one append of a group came to: its result, or the error its caller gets. */
export type AppendOutcome = { result: AppendResult } | { error: unknown };

interface PendingAppend extends AppendRequest {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The append/read/subscribe logic both SQL adapters share. Adapters differ in
 * how they write a group of appends (SQLite in one synchronous transaction,
 * PostgreSQL in one call to its append function) and how wake-ups travel.
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
  protected readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxGroup: number;
  private readonly erasableFields?: ErasableFieldsOf;
  private readonly pending: PendingAppend[] = [];
  private writing = false;
  private readonly tail = new SharedTail();

  protected constructor(
    protected readonly db: Kysely<LedgerDb>,
    options: SqlEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.pageSize = options.pageSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.maxGroup = options.maxGroupCommit ?? 256;
    this.erasableFields = options.erasableFields;
  }

  /**
   * Writes a group of appends under the store-wide write lock and commits
   * them together, each append standing or falling alone: a conflict or a
   * reused id fails that append and none of the others. Resolves only once
   * the commit is durable; throws when nothing of the group was committed.
   */
  protected abstract writeGroup(group: readonly AppendRequest[]): Promise<AppendOutcome[]>;

  /**
   * Group commit: appends that arrive while a group is being written wait and
   * then share the next one. One durable commit (one fsync) then acknowledges
   * many callers. Each caller is answered only after the shared commit.
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
      // event loop, so without these turns each group would hold little more than the append that started
      // it. A request takes a few turns to get here (parsing, validation, lookups), so a group of small
      // appends waits while turns keep bringing more: one fsync then answers the requests in flight. A
      // group that already holds GATHER_EVENTS events waits no longer: its fsync is a small share of its
      // cost, and holding a large batch while the next one is validated only delays both.
      let waiting: number;
      do {
        waiting = this.pending.length;
        await new Promise((resolve) => setImmediate(resolve));
      } while (
        this.pending.length > waiting &&
        this.pending.length < this.maxGroup &&
        this.pending.reduce((events, p) => events + p.events.length, 0) < GATHER_EVENTS
      );
      const group = this.pending.splice(0, this.maxGroup);
      let outcomes: AppendOutcome[];
      try {
        outcomes = await this.writeGroup(group);
      } catch (error) {
        // The commit itself failed: nothing of this group is stored.
        outcomes = group.map(() => ({ error }));
      }
      if (outcomes.some((o) => 'result' in o && !o.result.duplicate)) this.notifier.notify();
      outcomes.forEach((outcome, i) =>
        'result' in outcome ? group[i].resolve(outcome.result) : group[i].reject(outcome.error),
      );
    }
    this.writing = false;
  }

  /**
   * The ledger's clock, read once per append as its group is written: every
   * event of an append shares it. Then each event's erasable values are
   * sealed, each under a fresh salt (see sealForAppend).
   */
  protected stamp(events: readonly NewEvent[]): SealedNewEvent[] {
    const recordedAt = this.clock().toISOString();
    return events.map((event) =>
      sealForAppend({ ...event, metadata: { ...event.metadata, recordedAt } }, this.erasableFields),
    );
  }

  /** The events selected, each with the values kept beside it. */
  protected selectEvents() {
    return this.db
      .selectFrom('events')
      .leftJoin('event_values', (join) =>
        join
          .onRef('event_values.position', '=', 'events.position')
          .onRef('event_values.event_id', '=', 'events.event_id'),
      )
      .selectAll('events')
      .select('event_values.erasable');
  }

  async eraseValues(erasures: readonly ValueErasure[]): Promise<number> {
    let erased = 0;
    await this.db.transaction().execute(async (trx) => {
      for (const { eventId, pointers } of erasures) {
        const row = await trx
          .selectFrom('event_values')
          .innerJoin('events', (join) =>
            join
              .onRef('events.position', '=', 'event_values.position')
              .onRef('events.event_id', '=', 'event_values.event_id'),
          )
          .select(['event_values.position', 'event_values.erasable'])
          .where('events.event_id', '=', eventId)
          .executeTakeFirst();
        if (!row) continue;
        const values = JSON.parse(row.erasable) as ErasableValues;
        const kept = withoutValues(values, pointers);
        erased += pointers.filter((p) => values[p]?.salt !== undefined).length;
        await trx
          .updateTable('event_values')
          .set({ erasable: JSON.stringify(kept) })
          .where('position', '=', row.position)
          .execute();
      }
    });
    // The shared tail holds events as they were opened before: a subscription must read the erasure.
    if (erased > 0) this.tail.forget();
    return erased;
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<StoredEvent> {
    const backwards = options.direction === 'backwards';
    let remaining = options.limit ?? Infinity;
    let cursor = options.from;
    while (remaining > 0) {
      let query = this.selectEvents()
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

  private async *pagesOfAll(options: ReadAllOptions): AsyncIterable<EventRow[]> {
    let remaining = options.limit ?? Infinity;
    let after = options.after ?? 0n;
    while (remaining > 0) {
      const page = await this.pageOfAll(after, Math.min(this.pageSize, remaining));
      yield page;
      if (page.length < this.pageSize) return;
      remaining -= page.length;
      after = BigInt(page[page.length - 1].position);
    }
  }

  async *subscribeAll(options: SubscribeOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    const { signal, lingerMs = 0 } = options;
    let after = options.after ?? 0n;
    while (!signal?.aborted) {
      const seen = this.notifier.current;
      const page = await this.tail.read(after, this.pageSize, (from, limit) =>
        this.pageOfAll(from, limit).then((rows) => rows.map((row) => deepFreeze(toStoredEvent(row)))),
      );
      if (page.length > 0) {
        if (signal?.aborted) return;
        yield page;
        after = page[page.length - 1].position;
      }
      if (page.length < this.pageSize) {
        await this.notifier.wait(seen, this.pollIntervalMs, signal);
        // Only a wake-up lingers: a poll that found nothing new to wait for reads on at once.
        // An abort ends the linger early (it rejects), and the loop then sees the signal.
        if (lingerMs > 0 && this.notifier.current !== seen)
          await sleep(lingerMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Up to `limit` events after position `after`, in position order: the page every read of the whole log reads. */
  protected pageOfAll(after: bigint, limit: number): Promise<EventRow[]> {
    return this.selectEvents()
      .where('events.position', '>', after.toString())
      .orderBy('events.position', 'asc')
      .limit(limit)
      .execute();
  }

  async findByEventIds(eventIds: string[]): Promise<StoredEvent[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.selectEvents().where('events.event_id', 'in', eventIds).execute();
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

/**
 * Events kept by SharedTail: four pages. Projections catching up together stay within a page of each other
 * (catch-up of 300k events read each event once with four or two pages kept), and every event kept is an
 * opened scheme-2 event of about 2.5 KB that the collector has to carry: eight pages cost about a tenth more
 * CPU per event caught up, side by side.
 */
const SHARED_TAIL_EVENTS = 2000;

/**
 * The newest events live subscriptions read, read and parsed once for all of
 * them. Every projection and the sealer follow the log in the service's
 * process, and each read each new event from the store and parsed it again:
 * under single-event ingest that was more of the thread than the appends.
 * The events are frozen, since every subscriber gets the same objects.
 *
 * It holds every event in (after, last] and nothing else: a read from the
 * store (`position > x`, in position order) adds to it only if it starts
 * where it ends, and commits become visible in position order, so no event
 * can later appear between two it holds. What a subscriber asks past its
 * end is read from the store, as before.
 */
class SharedTail {
  private after = 0n;
  private events: StoredEvent[] = [];

  async read(
    after: bigint,
    limit: number,
    readStore: (after: bigint, limit: number) => Promise<StoredEvent[]>,
  ): Promise<StoredEvent[]> {
    const last = this.events.at(-1)?.position ?? this.after;
    const cached = after >= this.after && after < last ? this.since(after, limit) : [];
    if (cached.length === limit) return cached;
    const from = cached.at(-1)?.position ?? after;
    const read = await readStore(from, limit - cached.length);
    this.keep(from, read);
    return cached.concat(read);
  }

  /** Drops every event held, so the next read of each is from the store. */
  forget(): void {
    this.after = 0n;
    this.events = [];
  }

  private since(after: bigint, limit: number): StoredEvent[] {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].position <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo, lo + limit);
  }

  private keep(after: bigint, read: StoredEvent[]): void {
    if (read.length === 0) return;
    const last = this.events.at(-1)?.position ?? this.after;
    if (after === last) this.events.push(...read);
    // A read further on starts the tail afresh; one behind it (a subscription catching up) is not kept.
    else if (after > last) [this.after, this.events] = [after, read.slice()];
    else return;
    const over = this.events.length - SHARED_TAIL_EVENTS;
    if (over > 0) {
      this.after = this.events[over - 1].position;
      this.events = this.events.slice(over);
    }
  }
}

/** A shared event stays as stored: a subscriber that wrote to it would change what the others read. */
function deepFreeze<T>(value: T): T {
  // A frozen branch was frozen whole: an opened event shares its sealed content's branches.
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    // Keys walked in place: an array of values per node was most of the garbage freezing made.
    for (const key in value) deepFreeze(value[key]);
    Object.freeze(value);
  }
  return value;
}

/** Throws CONCURRENCY_CONFLICT when the stream's revision (null: no stream) is not the one the caller expects. */
export function checkExpectedRevision(
  stream: string,
  expected: ExpectedRevision,
  actual: number | null,
): void {
  if (expected === 'no_stream' ? actual !== null : typeof expected === 'number' && actual !== expected)
    throw concurrencyConflict(stream, expected, actual);
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return openStored(
    {
      eventId: row.event_id,
      type: row.type,
      schemaVersion: row.schema_version,
      stream: row.stream,
      revision: Number(row.revision),
      position: BigInt(row.position),
      data: JSON.parse(row.data),
      metadata: JSON.parse(row.metadata),
      integrity: { prevHash: row.prev_hash, hash: row.hash },
    },
    Number(row.hash_scheme),
    row.erasable,
  );
}

function toUnparsedEvent(row: EventRow): UnparsedEvent {
  const scheme2 = Number(row.hash_scheme) === 2;
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    stream: row.stream,
    revision: Number(row.revision),
    position: BigInt(row.position),
    dataJson: row.data,
    metadataJson: row.metadata,
    integrity: scheme2
      ? { prevHash: row.prev_hash, hash: row.hash, hashScheme: 2 }
      : { prevHash: row.prev_hash, hash: row.hash },
    ...(scheme2 ? { valuesJson: row.erasable ?? null } : {}),
  };
}
