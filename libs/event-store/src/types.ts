import type { ErasableField, ErasableValues, HashScheme } from '@ledger/integrity';

/** Who acted, as the ledger records it: an authenticated principal, possibly acting for someone else. */
export interface Actor {
  id: string;
  role: string;
  onBehalfOf?: string;
}

/** What the emitter states about an event. `recordedAt` is the ledger's clock, stamped at append. */
export interface EventMetadata {
  tenantId: string;
  actor: Actor;
  source: string;
  occurredAt: string;
  recordedAt: string;
  correlationId: string;
  causationId: string;
  purposeOfUse?: string;
  /**
   * The id an emitter gave an event it sent. Emitters' ids are unique only
   * within their tenant, so the ledger's eventId is derived from the tenant
   * and this id; this is how the emitter still finds its event.
   */
  emitterEventId?: string;
}

/** An event as an emitter or a command handler proposes it. */
export interface NewEvent<D = unknown> {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: D;
  metadata: Omit<EventMetadata, 'recordedAt'>;
}

export interface Integrity {
  /** Hash of the previous event in the same stream; GENESIS_HASH for revision 0. */
  prevHash: string;
  /** SHA-256 of the RFC 8785 form of the envelope without `position` and `hash` (see hashedForm). */
  hash: string;
  /** 2 when the hash covers commitments to the erasable values rather than the values; absent for scheme 1. */
  hashScheme?: HashScheme;
}

/**
 * A scheme-2 event as hashed: `data` and `metadata` with each erasable value
 * replaced by its commitment, and the values (or, once erased, only their
 * kinds) kept beside it.
 */
export interface SealedContent {
  data: unknown;
  metadata: unknown;
  values: ErasableValues;
}

export interface StoredEvent<D = unknown> {
  eventId: string;
  type: string;
  schemaVersion: number;
  stream: string;
  /** 0-based, gapless within the stream. */
  revision: number;
  /** The store's global order. Opaque and increasing; a bigint because EventStoreDB's commit positions are 64-bit. */
  position: bigint;
  /** As readers see it: an erased value reads ERASED. */
  data: D;
  metadata: EventMetadata;
  integrity: Integrity;
  /** Scheme 2 only: the content the hash covers and the erasable values. */
  sealed?: SealedContent;
}

/** Which places of an event hold personal data that may have to be erased; the domain's event schemas say. */
export type ErasableFieldsOf = (event: NewEvent) => readonly ErasableField[];

/** A stored event without its content: its place in the log and its stream, and its hash chain's link. */
export type EventHeader = Pick<StoredEvent, 'eventId' | 'stream' | 'revision' | 'position' | 'integrity'>;

/** A stored event as read, its content still the JSON text the store keeps (sealed, for scheme 2). */
export type UnparsedEvent = Omit<StoredEvent, 'data' | 'metadata' | 'sealed'> & {
  dataJson: string;
  metadataJson: string;
  /**
   * Scheme 2: the erasable values kept beside the event, as JSON text of
   * ErasableValues; null when the event has no row of values (which only
   * tampering with the store can cause).
   */
  valuesJson?: string | null;
};

/** One event's erasable values to erase: the places named, whatever else it holds stays. */
export interface ValueErasure {
  eventId: string;
  pointers: readonly string[];
}

/** `no_stream`: the stream must not exist. `any`: no check. A number: the revision of the stream's last event. */
export type ExpectedRevision = 'no_stream' | 'any' | number;

export interface AppendedEvent {
  eventId: string;
  revision: number;
  position: bigint;
  hash: string;
}

export interface AppendResult {
  /** True when every event of the call was already stored with identical content; nothing new was written. */
  duplicate: boolean;
  events: AppendedEvent[];
  /** Revision of the last event of this append: the expected revision for the next one. */
  nextExpectedRevision: number;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Revision to start at (inclusive). Defaults to the first (forwards) or last (backwards) event. */
  from?: number;
  direction?: Direction;
  limit?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. 0n reads from the beginning. */
  after?: bigint;
  limit?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: delivery resumes strictly after it, so nothing is delivered twice. */
  after?: bigint;
  signal?: AbortSignal;
  /**
   * Once caught up, how long to wait after an append's wake-up before reading
   * on, so that the appends landing meanwhile come in one read rather than one
   * read each. Catching up on a backlog never waits. 0 (the default): at once.
   * A push-based adapter (EventStoreDB) delivers as the server sends.
   */
  lingerMs?: number;
}

export interface EventStore {
  /** The adapter's name as shown in /health/ready (`sqlite`, `postgres`, ...). */
  readonly kind: string;
  append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<StoredEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /**
   * readAll with `data` and `metadata` left as the store's JSON text, for a
   * reader that need not read the content: verify hashes SQLite's text as
   * stored (it is the canonical text append hashed) and parses only what does
   * not hash that way. Absent where the store keeps no text (EventStoreDB).
   */
  readAllUnparsed?(options?: ReadAllOptions): AsyncIterable<UnparsedEvent>;
  /**
   * Catches up from the checkpoint, then stays live until the signal aborts.
   * Delivers pages: each a run of events in position order, following on
   * from the last (never empty). A subscriber's cost per page is paid once
   * for each read, not once for each event: under ingest every projection and
   * the sealer follow the log, and stepping an async iterator per event was
   * several microseconds of the service's one thread per event.
   */
  subscribeAll(options?: SubscribeOptions): AsyncIterable<readonly StoredEvent[]>;
  /** The stored events with these ids, for idempotent ingest (duplicates are acknowledged, not re-sent). */
  findByEventIds(eventIds: string[]): Promise<StoredEvent[]>;
  /** Position of the newest event, 0n when empty. */
  headPosition(): Promise<bigint>;
  /**
   * Deletes erasable values and their salts, leaving each commitment (and so
   * every hash) as it was; returns how many values were erased. The one
   * change a store allows after append, and only to what the hash does not
   * cover. Absent where the store keeps values inside its events
   * (EventStoreDB), which therefore appends under scheme 1.
   */
  eraseValues?(erasures: readonly ValueErasure[]): Promise<number>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
