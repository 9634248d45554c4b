import {
  ANY,
  BACKWARDS,
  END,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type AppendResult,
  type EventData,
  type Filter,
  type JSONRecordedEvent,
  type ReadPosition,
  type StreamingRead,
  type StreamMetadata,
} from '@eventstore/db-client';
import { Readable } from 'node:stream';
import type { EsdbClient } from '../esdb-client';

type Recorded = JSONRecordedEvent & { position: { commit: bigint; prepare: bigint } };

export interface AppendCall {
  stream: string;
  eventIds: string[];
  expectedRevision: AppendExpectedRevision;
}

/**
 * An in-memory stand-in for `@eventstore/db-client` at the adapter's
 * boundary (EsdbClient), for unit tests of the mapping; never a substitute for
 * the conformance run against a real server. It keeps the server's semantics
 * the adapter relies on: expected revisions, gapless stream revisions, atomic
 * multi-event appends, $all commit positions that grow with gaps (and start
 * above 2^53, so a lossy conversion to number shows), reads from a position
 * inclusive forwards and exclusive backwards, subscriptions exclusive of their
 * start, the idempotent repeat of a write at the same expected revision, and
 * the client's error classes.
 */
export class FakeEsdbClient implements EsdbClient {
  readonly log: Recorded[] = [];
  readonly appendCalls: AppendCall[] = [];
  readonly subscribeCalls: ReadPosition[] = [];
  /** Names of history-destroying methods someone called: must stay empty. */
  readonly forbiddenCalls: string[] = [];
  /** When set, every call fails as the client fails with nothing listening. */
  unreachable = false;
  /** Runs before an append is applied; a test throws from it to fail that append, or appends something else first. */
  beforeAppend?: (call: AppendCall) => void | Promise<void>;
  /** Runs after an append is applied; a test throws from it to lose the acknowledgement of a write that landed. */
  afterAppend?: (call: AppendCall) => void | Promise<void>;
  private readonly streams = new Map<string, Recorded[]>();
  private readonly metadata = new Map<string, StreamMetadata>();
  private readonly deleted = new Set<string>();
  private readonly live = new Set<{ readable: Readable; after: bigint; filter?: RegExp }>();
  private nextPosition = 2n ** 53n + 1n;
  private sequence = 0;

  // The client's history-destroying calls exist on the real client; the adapter's type omits them. These record any call that slips through.
  deleteStream = async () => this.forbid('deleteStream');
  tombstoneStream = async () => this.forbid('tombstoneStream');
  setStreamMetadata = async () => this.forbid('setStreamMetadata');

  private forbid(name: string): never {
    this.forbiddenCalls.push(name);
    throw new Error(`${name} must never be called by the ledger`);
  }

  /** Something an administrator did outside the ledger: metadata the guard must notice. */
  setTruncation(stream: string, metadata: StreamMetadata): void {
    this.metadata.set(stream, metadata);
  }

  /** A stream an administrator deleted behind the ledger's back. */
  markDeleted(stream: string): void {
    this.deleted.add(stream);
  }

  /** Events the server writes itself ($stats, projections' links): the adapter must skip them. */
  appendSystemEvent(stream: string, type: string): void {
    this.write(stream, [
      {
        id: `00000000-0000-4000-8000-${String(++this.sequence).padStart(12, '0')}`,
        contentType: 'application/json',
        type,
        data: {},
        metadata: undefined,
      },
    ]);
  }

  /** Ends every live subscription with an error, as a server restart or leader change does. */
  dropSubscriptions(error: Error = new UnavailableError(undefined, 'connection reset')): void {
    for (const sub of [...this.live]) sub.readable.destroy(error);
    this.live.clear();
  }

  get liveSubscriptions(): number {
    return this.live.size;
  }

  streamEvents(stream: string): Recorded[] {
    return [...(this.streams.get(stream) ?? [])];
  }

  private unavailable(): UnavailableError {
    return new UnavailableError(
      undefined,
      '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED',
    );
  }

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: { expectedRevision?: AppendExpectedRevision } = {},
  ): Promise<AppendResult> {
    if (this.unreachable) throw this.unavailable();
    const batch = Array.isArray(events) ? events : [events];
    const expected = options.expectedRevision ?? ANY;
    const call = { stream: streamName, eventIds: batch.map((e) => e.id), expectedRevision: expected };
    this.appendCalls.push(call);
    await this.beforeAppend?.(call);
    if (this.deleted.has(streamName)) throw new StreamDeletedError(undefined, streamName);
    const existing = this.streams.get(streamName) ?? [];
    const current = existing.length === 0 ? NO_STREAM : BigInt(existing.length - 1);
    if (typeof expected === 'bigint' || expected === NO_STREAM) {
      // The server's idempotency (for every expected revision but ANY): the same ids again at the same expected revision are acknowledged, not written twice.
      const from = expected === NO_STREAM ? 0 : Number(expected) + 1;
      const repeat = existing.slice(from, from + batch.length);
      if (repeat.length === batch.length && repeat.every((e, i) => e.id === batch[i].id))
        return {
          success: true,
          nextExpectedRevision: repeat[repeat.length - 1].revision,
          position: repeat[repeat.length - 1].position,
        };
    }
    const ok =
      expected === ANY ||
      (expected === NO_STREAM && current === NO_STREAM) ||
      (expected === STREAM_EXISTS && current !== NO_STREAM) ||
      (typeof expected === 'bigint' && current === expected);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    const written = this.write(streamName, batch);
    await this.afterAppend?.(call);
    const tail = written[written.length - 1];
    return { success: true, nextExpectedRevision: tail.revision, position: tail.position };
  }

  private write(streamName: string, batch: EventData[]): Recorded[] {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const written = batch.map((e) => {
      // Gaps between positions, as in a real transaction log (record headers, other records).
      this.nextPosition += 97n + BigInt(++this.sequence % 13);
      const record = {
        streamId: streamName,
        id: e.id,
        isJson: true,
        revision: BigInt(stream.length),
        type: e.type,
        created: new Date(),
        data: JSON.parse(JSON.stringify(e.data)),
        metadata: e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
        position: { commit: this.nextPosition, prepare: this.nextPosition },
      } as Recorded;
      stream.push(record);
      this.log.push(record);
      return record;
    });
    for (const sub of this.live) for (const record of written) this.deliver(sub, record);
    return written;
  }

  private deliver(sub: { readable: Readable; after: bigint; filter?: RegExp }, record: Recorded): void {
    if (record.position.commit <= sub.after) return;
    if (sub.filter && !sub.filter.test(record.type)) return;
    sub.readable.push({ event: record, commitPosition: record.position.commit });
  }

  readStream = ((
    streamName: string,
    options?: {
      fromRevision?: bigint | typeof START | typeof END;
      direction?: string;
      maxCount?: number | bigint;
    },
  ) => this.readStreamOf(streamName, options ?? {})) as EsdbClient['readStream'];

  private readStreamOf(
    streamName: string,
    options: {
      fromRevision?: bigint | typeof START | typeof END;
      direction?: string;
      maxCount?: number | bigint;
    },
  ) {
    if (this.unreachable) return streamingRead(this.unavailable());
    if (this.deleted.has(streamName)) return streamingRead(new StreamDeletedError(undefined, streamName));
    const stream = this.streams.get(streamName);
    if (!stream) return streamingRead(new StreamNotFoundError(undefined, streamName));
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = options.fromRevision ?? (options.direction === BACKWARDS ? END : START);
    let picked: Recorded[];
    if (options.direction === BACKWARDS) {
      const start =
        from === END ? stream.length - 1 : from === START ? 0 : Math.min(Number(from), stream.length - 1);
      picked = stream
        .slice(0, start + 1)
        .reverse()
        .slice(0, max);
    } else {
      const start = from === START ? 0 : from === END ? stream.length : Number(from);
      picked = stream.slice(start, start + max);
    }
    return streamingRead(picked.map((event) => ({ event, commitPosition: event.position.commit })));
  }

  readAll(
    options: { fromPosition?: ReadPosition; direction?: string; maxCount?: number | bigint } = {},
  ): StreamingRead<AllStreamResolvedEvent> {
    if (this.unreachable) return streamingRead(this.unavailable());
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = options.fromPosition ?? (options.direction === BACKWARDS ? END : START);
    let picked: Recorded[];
    if (options.direction === BACKWARDS) {
      const before = from === END ? undefined : from === START ? 0n : from.commit;
      picked = this.log
        .filter((e) => before === undefined || e.position.commit < before)
        .reverse()
        .slice(0, max);
    } else {
      const atOrAfter = from === START ? 0n : from === END ? this.nextPosition + 1n : from.commit;
      picked = this.log.filter((e) => e.position.commit >= atOrAfter).slice(0, max);
    }
    return streamingRead(picked.map((event) => ({ event, commitPosition: event.position.commit })));
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): AllStreamSubscription {
    const from = options.fromPosition ?? START;
    this.subscribeCalls.push(from);
    const readable = new Readable({ objectMode: true, read() {} });
    const sub = {
      readable,
      after: from === START ? 0n : from === END ? this.nextPosition : from.commit,
      filter:
        options.filter && 'regex' in options.filter && options.filter.filterOn === 'eventType'
          ? new RegExp(options.filter.regex)
          : undefined,
    };
    const subscription = Object.assign(readable, {
      unsubscribe: async () => {
        this.live.delete(sub);
        readable.push(null);
      },
    }) as unknown as AllStreamSubscription;
    queueMicrotask(() => {
      if (this.unreachable) return void readable.destroy(this.unavailable());
      for (const record of this.log) this.deliver(sub, record);
      this.live.add(sub);
    });
    return subscription;
  }

  getStreamMetadata = (async (streamName: string) => {
    if (this.unreachable) throw this.unavailable();
    if (this.deleted.has(streamName)) throw new StreamDeletedError(undefined, streamName);
    return { streamName, metadata: this.metadata.get(streamName) };
  }) as EsdbClient['getStreamMetadata'];

  async dispose(): Promise<void> {
    for (const sub of this.live) sub.readable.push(null);
    this.live.clear();
  }
}

function streamingRead<E>(items: E[] | Error): StreamingRead<E> {
  const readable = new Readable({ objectMode: true, read() {} });
  queueMicrotask(() => {
    if (items instanceof Error) return void readable.destroy(items);
    for (const item of items) readable.push(item);
    readable.push(null);
  });
  return Object.assign(readable, {
    cancel: async () => void readable.destroy(),
  }) as unknown as StreamingRead<E>;
}
