import type { EventStoreDBClient, Position, ReadPosition } from '@eventstore/db-client';
import { chainEvents } from '@ledger/integrity';
import { trace } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import { concurrencyConflict, EventStoreError } from '../errors';
import { withSpanFor } from '../tracing';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
} from '../types';
import { validateAppend } from '../validate-append';
import { acknowledgeDuplicates } from '../duplicates';
import {
  commitPositionOf,
  conflictFromWrongExpectedVersion,
  expectedRevisionToSend,
  readPositionAt,
  revisionOf,
  toEventData,
  toStoredEvent,
} from './envelope';
import type { EsdbClient } from './esdb-client';
import { BACKWARDS, END, esdb, FORWARDS, isClientError } from './esdb-runtime';
import { EventIdClaims, freshLastRevision, type LastRevisionOf, type Reservation } from './event-id-claims';
import { eventsOf, readLast, readStreamEvents } from './reads';
import { HistoryAtRiskError, RetentionGuard } from './retention-guard';
import { isLedgerStream } from './streams';

export interface EventStoreDbEventStoreOptions {
  /** The ledger's clock for `recordedAt`; injectable so tests can pin it. */
  clock?: () => Date;
  /** Events per read request: bounds memory whatever the log's size. */
  pageSize?: number;
  /** How long a readiness probe waits for the server before calling it unreachable. */
  pingTimeoutMs?: number;
  /** First wait before resubscribing after a drop; doubles up to `maxResubscribeDelayMs`. */
  resubscribeDelayMs?: number;
  maxResubscribeDelayMs?: number;
  /** Claims written or resolved at once for one append (each is its own small write). */
  claimConcurrency?: number;
  /** How many of the newest $all events name the streams whose retention is checked at start. */
  retentionSampleSize?: number;
  /** How often an `'any'` append is retried when other writers keep moving its stream. */
  appendAttempts?: number;
  /** The server as named in messages: hosts only, never credentials. */
  endpoint?: string;
}

const withSpan = withSpanFor('@ledger/event-store');

/** At most `limit` calls in flight: a 1000-event batch makes 1000 claims, and the server should see a steady stream, not a burst. */
async function mapLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(workers);
  return results;
}

/** The hosts of a connection string, for messages: the user-info part may hold a password. */
export function endpointOf(connectionString: string): string {
  const afterScheme = connectionString.replace(/^[a-z+]+:\/\//i, '');
  return afterScheme.replace(/^[^@/?]*@/, '').split(/[/?]/)[0] || 'the configured address';
}

function parseError(error: unknown): EventStoreError {
  // The client's parse errors quote the offending fragment, which may be part of a password: keep the position and the rule only.
  const text = error instanceof Error ? error.message : String(error);
  const rule = /at position (\d+), expected (.+?)\.?$/.exec(text);
  const where = rule ? ` at position ${rule[1]}: expected ${rule[2]}` : '';
  return new EventStoreError(
    'VALIDATION_FAILED',
    `the EventStoreDB connection string is not valid${where} (format: esdb://host:2113?tls=true or esdb+discover://host:2113)`,
    {
      field: 'connectionString',
    },
  );
}

const TRANSIENT = [
  'UnavailableError',
  'CancelledError',
  'DeadlineExceededError',
  'TimeoutError',
  'NotLeaderError',
  'UnknownError',
] as const;

/** The connection or the node failed, not the request: worth retrying against the same or another node. */
function isTransient(error: unknown): boolean {
  if (error instanceof HistoryAtRiskError) return false;
  if (error instanceof EventStoreError) return error.code === 'STORE_UNAVAILABLE';
  return isClientError(error, ...TRANSIENT);
}

type AppendOutcome =
  { kind: 'appended'; result: AppendResult } | { kind: 'retry'; conflict: EventStoreError };

/**
 * The EventStore port over EventStoreDB / KurrentDB, for organisations that
 * outgrow one machine. Streams are EventStoreDB streams, the global order is
 * $all, positions are $all commit positions (bigint throughout; never a JSON
 * number), and the envelope fields the server has no slot for travel in each
 * event's metadata JSON (envelope.ts).
 *
 * It opens without waiting for the server: when nothing answers, the service
 * starts unready and every call (and `ping`, which readiness uses) tries the
 * connection again, so an orchestrator sees "not ready" rather than a crash loop.
 */
export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb';
  private readonly claims: EventIdClaims;
  private readonly retention: RetentionGuard;
  private readonly clock: () => Date;
  private readonly pageSize: number;
  private readonly pingTimeoutMs: number;
  private readonly resubscribeDelayMs: number;
  private readonly maxResubscribeDelayMs: number;
  private readonly claimConcurrency: number;
  private readonly appendAttempts: number;
  private readonly endpoint: string;
  private guard: 'pending' | 'passed' | HistoryAtRiskError = 'pending';
  private guardRun?: Promise<void>;
  private closed = false;

  private constructor(
    private readonly client: EsdbClient,
    options: EventStoreDbEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.pageSize = options.pageSize ?? 500;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 3000;
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 500;
    this.maxResubscribeDelayMs = options.maxResubscribeDelayMs ?? 30_000;
    this.claimConcurrency = options.claimConcurrency ?? 32;
    this.appendAttempts = options.appendAttempts ?? 10;
    this.endpoint = options.endpoint ?? 'the configured address';
    this.claims = new EventIdClaims(client);
    this.retention = new RetentionGuard(client, {
      sampleSize: options.retentionSampleSize ?? 1000,
      rememberStreams: 100_000,
    });
  }

  static async open(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): Promise<EventStoreDbEventStore> {
    let client: EventStoreDBClient;
    try {
      client = esdb().EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw parseError(error);
    }
    return EventStoreDbEventStore.overClient(client, { endpoint: endpointOf(connectionString), ...options });
  }

  /**
   * Opens over a client: the real one (`open`), or a fake at the client's
   * boundary in unit tests. Refuses at once when ledger history is at risk;
   * returns unready when the server cannot be reached.
   */
  static async overClient(
    client: EsdbClient,
    options: EventStoreDbEventStoreOptions = {},
  ): Promise<EventStoreDbEventStore> {
    const store = new EventStoreDbEventStore(client, options);
    try {
      await store.guarded();
    } catch (error) {
      if (!(error instanceof HistoryAtRiskError)) return store;
      await client.dispose();
      throw error;
    }
    return store;
  }

  async append(
    stream: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    validateAppend(stream, events, expectedRevision);
    const attributes = {
      'ledger.stream': stream,
      'ledger.events': events.length,
      'ledger.expected_revision': String(expectedRevision),
    };
    return withSpan(
      'eventstoredb.append',
      () =>
        this.call(async () => {
          await this.guarded();
          await this.retention.checkStream(stream);
          for (let attempt = 1; ; attempt++) {
            const outcome = await this.appendOnce(stream, events, expectedRevision);
            if (outcome.kind === 'appended') return outcome.result;
            if (attempt >= this.appendAttempts) throw outcome.conflict;
            trace.getActiveSpan()?.addEvent('retry', { attempt });
            await sleep(Math.random() * 10 * attempt);
          }
        }),
      attributes,
    );
  }

  /**
   * One try: read the stream's last event, claim the event ids, append at
   * exactly the revision read. Why this is safe under optimistic concurrency:
   * the new events' prevHash is the hash of the event read here, and the
   * append is only accepted if that event is still the stream's last, so a
   * concurrent writer makes this append fail (WrongExpectedVersion) instead of
   * forking the chain; an `'any'` append then simply tries again on the new
   * last event.
   */
  private async appendOnce(
    stream: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendOutcome> {
    const last = await readLast(this.client, stream);
    const lastRevision = last === undefined ? null : revisionOf(last);
    const ids = events.map((e) => e.eventId);
    if (
      expected === 'no_stream'
        ? lastRevision !== null
        : typeof expected === 'number' && expected !== lastRevision
    ) {
      const stored = await this.findStored(ids);
      if (stored.length > 0)
        return { kind: 'appended', result: acknowledgeDuplicates(stream, events, stored) };
      throw concurrencyConflict(stream, expected, lastRevision);
    }

    const base = lastRevision ?? -1;
    const fresh = freshLastRevision(this.client);
    const lastRevisionOf: LastRevisionOf = (s) => (s === stream ? Promise.resolve(lastRevision) : fresh(s));
    const reservations = await mapLimit(events, this.claimConcurrency, (event, index) =>
      this.claims.reserve(event.eventId, { stream, base, index }, lastRevisionOf),
    );
    const ours = reservations.filter(
      (r): r is Extract<Reservation, { kind: 'claimed' }> => r.kind === 'claimed',
    );
    const blocked = reservations.find((r) => r.kind !== 'claimed');
    if (blocked) {
      await mapLimit(ours, this.claimConcurrency, (r) => this.claims.release(r));
      const stored = reservations.flatMap((r) => (r.kind === 'stored' ? [r.event] : []));
      if (stored.length > 0)
        return { kind: 'appended', result: acknowledgeDuplicates(stream, events, stored) };
      if (blocked.kind === 'held') {
        const revision = blocked.by.base + 1 + blocked.by.index;
        throw new EventStoreError(
          'EVENT_ID_REUSED',
          `eventId ${blocked.eventId} is claimed by an append to stream ${blocked.by.stream} (revision ${revision}) whose outcome is not settled; an eventId names one event in one stream, so resend it to ${blocked.by.stream} or use a new eventId`,
          { eventId: blocked.eventId, stream: blocked.by.stream, revision },
        );
      }
      // Another append of the same event id claimed it first: by the next try it has landed (a duplicate) or lost.
      return { kind: 'retry', conflict: concurrencyConflict(stream, expected, lastRevision) };
    }

    const recordedAt = this.clock().toISOString();
    const stamped = events.map((event) => ({ ...event, metadata: { ...event.metadata, recordedAt } }));
    const head =
      last === undefined ? undefined : { revision: base, hash: toStoredEvent(last).integrity.hash };
    const prepared = chainEvents(stream, stamped, head).map((event) => ({
      data: toEventData(event, event.metadata, event.integrity),
      hash: event.integrity.hash,
    }));
    try {
      await this.client.appendToStream(
        stream,
        prepared.map((p) => p.data),
        { expectedRevision: expectedRevisionToSend(expected, lastRevision) },
      );
    } catch (error) {
      if (!isClientError(error, 'WrongExpectedVersionError')) throw error;
      if (expected === 'any')
        return { kind: 'retry', conflict: conflictFromWrongExpectedVersion(error, stream, expected) };
      const stored = await this.findStored(ids);
      if (stored.length > 0)
        return { kind: 'appended', result: acknowledgeDuplicates(stream, events, stored) };
      throw conflictFromWrongExpectedVersion(error, stream, expected);
    }

    // The append result carries one position for the whole write; each event's own comes from reading it back.
    const written: StoredEvent[] = [];
    for await (const event of readStreamEvents(this.client, stream, {
      direction: FORWARDS,
      fromRevision: BigInt(base + 1),
      maxCount: BigInt(events.length),
    }))
      written.push(toStoredEvent(event));
    const isOurWrite =
      written.length === events.length &&
      written.every((w, i) => w.eventId === ids[i] && w.integrity.hash === prepared[i].hash);
    if (!isOurWrite) {
      // EventStoreDB took this write as a repeat of an earlier one with the same ids at the same revision (crash window 2 in event-id-claims.ts): report what is stored.
      return { kind: 'appended', result: acknowledgeDuplicates(stream, events, written) };
    }
    return {
      kind: 'appended',
      result: {
        duplicate: false,
        events: written.map((w) => ({
          eventId: w.eventId,
          revision: w.revision,
          position: w.position,
          hash: w.integrity.hash,
        })),
        nextExpectedRevision: base + events.length,
      },
    };
  }

  private async findStored(eventIds: string[]): Promise<StoredEvent[]> {
    const fresh = freshLastRevision(this.client);
    const found = await mapLimit(eventIds, this.claimConcurrency, (id) => this.claims.find(id, fresh));
    return found.filter((e): e is StoredEvent => e !== undefined);
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<StoredEvent> {
    await this.call(() => this.guarded());
    const backwards = options.direction === 'backwards';
    let remaining = options.limit ?? Infinity;
    let from: bigint | typeof END | undefined = options.from === undefined ? undefined : BigInt(options.from);
    while (remaining > 0) {
      const count = Math.min(this.pageSize, remaining);
      let read = 0;
      let lastRevision = -1n;
      const page = readStreamEvents(this.client, stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: from ?? (backwards ? END : 0n),
        maxCount: BigInt(count),
      });
      for await (const event of this.guardedIteration(page)) {
        read++;
        lastRevision = event.revision;
        yield toStoredEvent(event);
      }
      if (read < count || (backwards && lastRevision === 0n)) return;
      remaining -= read;
      from = backwards ? lastRevision - 1n : lastRevision + 1n;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    await this.call(() => this.guarded());
    let remaining = options.limit ?? Infinity;
    let after = options.after ?? 0n;
    let from: ReadPosition = readPositionAt(after);
    while (remaining > 0) {
      let read = 0;
      let lastRaw: Position | undefined;
      const page = eventsOf(
        this.client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: BigInt(this.pageSize) }),
      );
      for await (const event of this.guardedIteration(page)) {
        read++;
        lastRaw = event.position;
        const position = commitPositionOf(event);
        // A read from a position includes the event at it; "after" is exclusive.
        if (position <= after) continue;
        after = position;
        if (!isLedgerStream(event.streamId)) continue;
        yield toStoredEvent(event);
        if (--remaining === 0) return;
      }
      if (read < this.pageSize || lastRaw === undefined) return;
      from = lastRaw;
    }
  }

  /**
   * Catch-up then live, from a stored commit position, with the server's
   * excludeSystemEvents filter (claims are dropped here by stream name). The
   * client does not resubscribe when a subscription drops (server restart,
   * leader change, network); this loop does, from the last position it
   * delivered, and skips anything at or before it, so a drop never loses or
   * repeats an event.
   */
  async *subscribeAll(options: SubscribeOptions = {}): AsyncIterable<readonly StoredEvent[]> {
    const { signal } = options;
    let last = options.after ?? 0n;
    let delay = this.resubscribeDelayMs;
    while (!signal?.aborted && !this.closed) {
      try {
        await this.guarded();
        const subscription = this.client.subscribeToAll({
          fromPosition: readPositionAt(last),
          filter: esdb().excludeSystemEvents(),
        });
        const stop = () => void subscription.unsubscribe().catch(() => undefined);
        signal?.addEventListener('abort', stop, { once: true });
        try {
          for await (const resolved of subscription) {
            const event = resolved.event;
            if (!event) continue;
            const position = commitPositionOf(event);
            if (position <= last) continue;
            last = position;
            if (!isLedgerStream(event.streamId)) continue;
            delay = this.resubscribeDelayMs;
            // The server pushes events one at a time: each is a page of its own.
            yield [toStoredEvent(event)];
          }
        } finally {
          signal?.removeEventListener('abort', stop);
          stop();
        }
      } catch (error) {
        if (signal?.aborted || this.closed) return;
        if (!isTransient(error)) throw this.toStoreError(error);
      }
      if (signal?.aborted || this.closed) return;
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      delay = Math.min(delay * 2, this.maxResubscribeDelayMs);
    }
  }

  async findByEventIds(eventIds: string[]): Promise<StoredEvent[]> {
    if (eventIds.length === 0) return [];
    return this.call(async () => {
      await this.guarded();
      return this.findStored([...new Set(eventIds)]);
    });
  }

  /** The newest ledger event's position: the tail of $all, past any claims and system events after it. */
  async headPosition(): Promise<bigint> {
    return this.call(async () => {
      await this.guarded();
      let from: ReadPosition = END;
      for (;;) {
        let read = 0;
        let lastRaw: Position | undefined;
        for await (const event of eventsOf(
          this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: BigInt(this.pageSize) }),
        )) {
          read++;
          lastRaw = event.position;
          if (isLedgerStream(event.streamId)) return commitPositionOf(event);
        }
        if (read < this.pageSize || lastRaw === undefined) return 0n;
        from = lastRaw;
      }
    });
  }

  async ping(): Promise<void> {
    await this.call(async () => {
      await this.guarded();
      await this.probe();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.dispose();
  }

  /**
   * Runs the start-up checks once the server answers: until then every call
   * fails with STORE_UNAVAILABLE and tries again; once history is found at
   * risk, every call fails with that refusal.
   */
  private async guarded(): Promise<void> {
    if (this.closed) throw new EventStoreError('STORE_UNAVAILABLE', 'the EventStoreDB event store is closed');
    if (this.guard === 'passed') return;
    if (this.guard instanceof HistoryAtRiskError) throw this.guard;
    this.guardRun ??= (async () => {
      try {
        await this.probe();
        await this.retention.checkRecentStreams();
        this.guard = 'passed';
      } catch (error) {
        throw this.toStoreError(error);
      } finally {
        this.guardRun = undefined;
      }
    })();
    return this.guardRun;
  }

  /** A read of the newest $all event, bounded in time: the client's reads have no deadline of their own. */
  private async probe(): Promise<void> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1n });
    const answered = new Promise<void>((resolve, reject) =>
      read
        .on('data', () => undefined)
        .once('end', resolve)
        .once('error', reject),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EventStoreError(
              'STORE_UNAVAILABLE',
              `EventStoreDB at ${this.endpoint} did not answer within ${this.pingTimeoutMs} ms`,
              { endpoint: this.endpoint },
            ),
          ),
        this.pingTimeoutMs,
      );
    });
    try {
      await Promise.race([answered, timedOut]);
    } catch (error) {
      await read.cancel().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets a read loop fail with the store's own errors (STORE_UNAVAILABLE naming the server) instead of the client's. */
  private async *guardedIteration<T>(events: AsyncIterable<T>): AsyncGenerator<T> {
    try {
      yield* events;
    } catch (error) {
      throw this.toStoreError(error);
    }
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.toStoreError(error);
    }
  }

  private toStoreError(error: unknown): unknown {
    // History at risk anywhere means the ledger can no longer promise it keeps what it acknowledges: every later call refuses too.
    if (error instanceof HistoryAtRiskError) this.guard = error;
    if (error instanceof EventStoreError) return error;
    if (isClientError(error, ...TRANSIENT))
      // grpc-js ends its message with an empty "Resolution note:" when name resolution had nothing to add.
      return new EventStoreError(
        'STORE_UNAVAILABLE',
        `EventStoreDB at ${this.endpoint} is not reachable: ${(error as Error).message.replace(/\.?\s*Resolution note:\s*$/, '')}`,
        {
          endpoint: this.endpoint,
        },
      );
    if (isClientError(error, 'AccessDeniedError'))
      return new EventStoreError(
        'STORE_UNAVAILABLE',
        `EventStoreDB at ${this.endpoint} denied the ledger's user (${error.message}); grant it read and write on ledger streams and on $all reads (docs/event-store.md: ACLs)`,
        { endpoint: this.endpoint },
      );
    return error;
  }
}
