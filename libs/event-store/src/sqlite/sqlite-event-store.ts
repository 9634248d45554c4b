import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chainEvents, type ChainedEnvelope } from '@ledger/integrity';
import { Kysely, sql } from 'kysely';
import { acknowledgeDuplicates } from '../duplicates';
import type { SealedNewEvent } from '../sealing';
import type { AppendResult, ReadAllOptions, StoredEvent, UnparsedEvent } from '../types';
import { migrateToLatest, type DialectDdl, type LedgerDb } from '../sql/schema';
import {
  checkExpectedRevision,
  SqlEventStore,
  toStoredEvent,
  type AppendOutcome,
  type AppendRequest,
  type EventRow,
  type SqlEventStoreOptions,
} from '../sql/sql-event-store';
import { cachedStatementsDialect } from './cached-statements';
import { limitPageCache } from './page-cache';
import { EVENT_COLUMNS, EVENTS_WITH_VALUES, SqliteEventRows } from './event-rows';
import { WalCheckpointThread, type WalCheckpointThreadOptions } from './wal-checkpoints';

/** Ids from which a lookup runs in a statement of its own, not waiting to share one (see findByEventIds). */
const LOOKUP_ALONE_IDS = 64;

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'EXTRA';

export interface SqliteEventStoreOptions extends SqlEventStoreOptions {
  /** FULL (the default) makes every acknowledged append survive power loss, not only a process kill. */
  synchronous?: SqliteSynchronous;
  /** For a long-lived writer: the file's WAL checkpointed on a thread, not inside commits (see WalCheckpointThread). */
  walCheckpointThread?: WalCheckpointThreadOptions;
}

const guard = (op: 'UPDATE' | 'DELETE') =>
  sql`CREATE TRIGGER events_forbid_${sql.raw(op.toLowerCase())} BEFORE ${sql.raw(op)} ON events
      BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: ${sql.raw(op)} on events is forbidden'); END`;

const keepValueRows = sql`CREATE TRIGGER event_values_forbid_delete BEFORE DELETE ON event_values
  BEGIN SELECT RAISE(ABORT, 'erasure takes values out of event_values; its rows stay'); END`;

const SQLITE_DDL: DialectDdl = {
  types: { int64: 'integer', json: 'text', uuid: 'text' },
  immutabilityGuard: [guard('UPDATE'), guard('DELETE')],
  appendFunction: [],
  appendFunctionTuning: [],
  // An erasure takes values out of a row; the row itself, which says the event had values, stays.
  erasableValues: [keepValueRows],
  valuesByPosition: [keepValueRows],
  appendFunctionIndexReads: [],
};

/**
 * The statements an append runs (the lookup of its ids among them, which
 * ingest also runs before each append), and the page of the log that every
 * subscription reads after each group commit, prepared once on the store's
 * connection. These are the places
 * that skip the query builder:
 * better-sqlite3 runs a prepared statement synchronously in a few
 * microseconds, so a whole group commit runs without yielding the event loop
 * between statements, and building and compiling the same query anew for
 * every append would cost more than running it.
 */
function appendStatements(database: Database.Database) {
  return {
    // Any number of ids as one JSON array: one statement, prepared once, whatever the count.
    byEventIds: database.prepare<[string], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_WITH_VALUES} WHERE e.event_id IN (SELECT value FROM json_each(?))`,
    ),
    pageAfter: database.prepare<[number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_WITH_VALUES} WHERE e.position > ? ORDER BY e.position LIMIT ?`,
    ),
    head: database.prepare<[string], { revision: number; hash: string }>(
      'SELECT revision, hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
    ),
    lastPosition: database.prepare<[], { last: number | null }>('SELECT max(position) AS last FROM events'),
    insert: database.prepare<
      [number, string, string, number, string, number, string, string, string, string, number]
    >(
      `INSERT INTO events (position, event_id, stream, revision, type, schema_version, data, metadata, prev_hash, hash, hash_scheme)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertValues: database.prepare<[number, string, string]>(
      'INSERT INTO event_values (position, event_id, erasable) VALUES (?, ?, ?)',
    ),
  };
}

/** The embedded default: one file, WAL, one writer at a time (BEGIN IMMEDIATE), readers never blocked. */
export class SqliteEventStore extends SqlEventStore {
  readonly kind = 'sqlite';
  private readonly statements: ReturnType<typeof appendStatements>;
  private readonly rows: SqliteEventRows;
  /** findByEventIds calls waiting for the end of this turn of the event loop, to be looked up together. */
  private lookups: Array<{
    eventIds: string[];
    resolve: (events: StoredEvent[]) => void;
    reject: (error: unknown) => void;
  }> = [];
  /**
   * One group in one IMMEDIATE transaction: IMMEDIATE takes the write lock
   * before the first read, so two processes cannot both read the same head
   * and then race to write it. Whatever refuses one append of the group (a
   * stale revision, a reused id, data with no canonical form) is decided
   * before that append writes anything, so a refused append is undone by not
   * being written, and the others stand: no savepoint per append, whose
   * journal of every index page the append touched cost more than the
   * append's inserts.
   */
  private readonly writeGroupNow: (group: readonly AppendRequest[]) => AppendOutcome[];
  private readonly checkpoints?: WalCheckpointThread;

  private constructor(
    db: Kysely<LedgerDb>,
    database: Database.Database,
    private readonly file: string,
    options: SqliteEventStoreOptions,
  ) {
    super(db, options);
    this.statements = appendStatements(database);
    this.rows = new SqliteEventRows(database);
    if (options.walCheckpointThread)
      this.checkpoints = new WalCheckpointThread(database, file, options.walCheckpointThread);
    this.writeGroupNow = database.transaction((group: readonly AppendRequest[]) => {
      const position = { last: this.statements.lastPosition.get()?.last ?? 0 };
      return group.map((request): AppendOutcome => {
        let checked: ReturnType<typeof this.checkAppend>;
        try {
          checked = this.checkAppend(request);
        } catch (error) {
          return { error };
        }
        // An insert that fails now (a full disk, an I/O error) throws out of the transaction, which
        // takes back the whole group: an append half written cannot be undone alone.
        return { result: Array.isArray(checked) ? this.insert(request.stream, checked, position) : checked };
      });
    }).immediate;
  }

  static async open(file: string, options: SqliteEventStoreOptions = {}): Promise<SqliteEventStore> {
    mkdirSync(dirname(file), { recursive: true });
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // Another process (the CLI, a second replica) may hold the write lock briefly.
    database.pragma('busy_timeout = 5000');
    // An erased value's bytes are overwritten, not left in a free page for a forensic reader of the file.
    database.pragma('secure_delete = ON');
    limitPageCache(database, 'long-lived');
    const db = new Kysely<LedgerDb>({ dialect: cachedStatementsDialect(database) });
    await migrateToLatest(db, SQLITE_DDL);
    return new SqliteEventStore(db, database, file, options);
  }

  get path(): string {
    return this.file;
  }

  protected async writeGroup(group: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    return this.writeGroupNow(group);
  }

  /**
   * Everything that may refuse one append, inside the open write
   * transaction, before it writes: either the acknowledgement of a resend or
   * the append's events, chained onto its stream's head. A resend is judged
   * as every store judges one (a duplicate acknowledged with the original
   * positions, or EVENT_ID_REUSED), ahead of the revision check, as a retry
   * expects.
   */
  private checkAppend({ stream, events, expectedRevision }: AppendRequest) {
    const stored = this.statements.byEventIds.all(JSON.stringify(events.map((e) => e.eventId)));
    if (stored.length > 0) return acknowledgeDuplicates(stream, events, stored.map(toStoredEvent));
    const head = this.statements.head.get(stream);
    checkExpectedRevision(stream, expectedRevision, head?.revision ?? null);
    return chainEvents(stream, this.stamp(events), head);
  }

  /** The rows of an append checkAppend let through, each at the next position. */
  private insert(
    stream: string,
    chained: ChainedEnvelope<SealedNewEvent>[],
    position: { last: number },
  ): AppendResult {
    const appended = chained.map((event) => {
      const eventPosition = ++position.last;
      this.statements.insert.run(
        eventPosition,
        event.eventId,
        stream,
        event.revision,
        event.type,
        event.schemaVersion,
        // The canonical text the hash covers, so verify can hash it as stored (see storedCanonicalHash).
        event.canonical.data,
        event.canonical.metadata,
        event.integrity.prevHash,
        event.integrity.hash,
        event.hashScheme ?? 1,
      );
      if (event.valuesJson !== undefined)
        this.statements.insertValues.run(eventPosition, event.eventId, event.valuesJson);
      return {
        eventId: event.eventId,
        revision: event.revision,
        position: BigInt(eventPosition),
        hash: event.integrity.hash,
      };
    });
    return {
      duplicate: false,
      events: appended,
      nextExpectedRevision: appended[appended.length - 1].revision,
    };
  }

  /**
   * Ingest asks this of every request before appending it. Outside the write
   * transaction each statement is a read transaction of its own, and in WAL
   * mode beginning one costs more than the lookup: it takes a read lock on the
   * shared-memory index, and after each commit moves a read mark under an
   * exclusive lock (about 25 µs the first read after a commit, 5 µs inside a
   * transaction). So the lookups asked for in one turn of the event loop (the
   * requests read off their sockets together) wait for its end and share one
   * statement, through the prepared statement rather than a query built with a
   * parameter per id. What they find may be a turn newer; the append checks
   * ids again in its own transaction. A lookup of many ids (a batch's) runs at
   * once: the read transaction is a small share of it, and with every lookup
   * waiting http-batch spent ~15% more main-thread CPU per event (most likely
   * the collector, copying the batch's items kept alive a turn longer).
   */
  override findByEventIds(eventIds: string[]): Promise<StoredEvent[]> {
    if (eventIds.length === 0) return Promise.resolve([]);
    if (eventIds.length >= LOOKUP_ALONE_IDS)
      return Promise.resolve(this.statements.byEventIds.all(JSON.stringify(eventIds)).map(toStoredEvent));
    return new Promise((resolve, reject) => {
      this.lookups.push({ eventIds, resolve, reject });
      if (this.lookups.length === 1) setImmediate(() => this.lookUpPending());
    });
  }

  private lookUpPending(): void {
    const lookups = this.lookups;
    this.lookups = [];
    let stored: Map<string, EventRow>;
    try {
      const rows = this.statements.byEventIds.all(JSON.stringify(lookups.flatMap((l) => l.eventIds)));
      stored = new Map(rows.map((row) => [row.event_id, row]));
    } catch (error) {
      for (const lookup of lookups) lookup.reject(error);
      return;
    }
    // Each caller gets events of its own, each stored event once, as one statement of its own ids would answer.
    for (const { eventIds, resolve } of lookups) {
      const found = stored.size === 0 ? [] : [...new Set(eventIds)].filter((id) => stored.has(id));
      resolve(found.map((id) => toStoredEvent(stored.get(id)!)));
    }
  }

  protected override async pageOfAll(after: bigint, limit: number): Promise<EventRow[]> {
    return this.statements.pageAfter.all(Number(after), limit);
  }

  /** Every event, its content as stored, for verify (see SqliteEventRows). */
  override async *readAllUnparsed(options: ReadAllOptions = {}): AsyncIterable<UnparsedEvent> {
    let remaining = options.limit ?? Infinity;
    let after = Number(options.after ?? 0n);
    while (remaining > 0) {
      const page = this.rows.page(after, Math.min(this.pageSize, remaining));
      yield* page;
      if (page.length < this.pageSize) return;
      remaining -= page.length;
      after = Number(page[page.length - 1].position);
    }
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.checkpoints?.stop();
    await this.db.destroy();
  }
}
