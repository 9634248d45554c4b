import { erasableFieldsOf } from '@ledger/domain';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { GENESIS_HASH } from '@ledger/integrity';
import {
  PostgresEventStore,
  SqliteEventStore,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '@ledger/event-store';
import { STREAM } from './workload';
import { SERVICE_STORE_OPENING } from './service-env';

export type Db = 'sqlite' | 'postgres';
export type Subject = 'ledger' | 'raw' | 'peer';

/** Where a measurement writes: a fresh SQLite file, or a fresh PostgreSQL database. */
export type Target = { db: 'sqlite'; file: string } | { db: 'postgres'; url: string };

/** One way of making a batch of events durable: resolves once the batch is committed. */
export interface Appender {
  append(events: NewEvent[]): Promise<void>;
  close(): Promise<void>;
}

export function openAppender(subject: Subject, target: Target): Promise<Appender> {
  switch (subject) {
    case 'ledger':
      return ledgerAppender(target);
    case 'raw':
      return target.db === 'sqlite' ? rawSqliteAppender(target.file) : rawPostgresAppender(target.url);
    case 'peer': {
      // Loaded by path so the typechecked bench never depends on the peer's
      // packages, which live in test/bench/node_modules and only the bench installs.
      const peer = require(join(__dirname, '..', 'peer', 'emmett-appender')) as {
        peerAppender(target: Target): Promise<Appender>;
      };
      return peer.peerAppender(target);
    }
  }
}

/** The ledger's store opened as the service opens it: on SQLite, its WAL checkpointed on a thread. */
function openLedgerStore(target: Target): Promise<EventStore> {
  return target.db === 'sqlite'
    ? SqliteEventStore.open(target.file, {
        synchronous: 'FULL',
        erasableFields: erasableFieldsOf,
        ...SERVICE_STORE_OPENING,
      })
    : PostgresEventStore.open(target.url, { erasableFields: erasableFieldsOf });
}

/** The ledger's store as a command handler uses it: each append names the revision it expects. */
async function ledgerAppender(target: Target): Promise<Appender> {
  const store = await openLedgerStore(target);
  let expected: ExpectedRevision = 'no_stream';
  return {
    async append(events) {
      expected = (await store.append(STREAM, events, expected)).nextExpectedRevision;
    },
    close: () => store.close(),
  };
}

interface RawRow {
  position: number;
  stream: string;
  eventId: string;
  revision: number;
  type: string;
  schemaVersion: number;
  data: string;
  metadata: string;
  prevHash: string;
  hash: string;
}

/** Positions counted in memory, shared by every writer of one raw subject. */
interface PositionCounter {
  next(): number;
}

const positionCounter = (): PositionCounter => {
  let position = 0;
  return { next: () => ++position };
};

/**
 * The append-only table a team would write for itself, as the sole writer:
 * positions and revisions counted in memory, the JSON columns from
 * JSON.stringify, and a plain SHA-256 chain over each envelope. No canonical
 * form, no validation, no lookups: the least work that yields rows equivalent
 * to the ledger's.
 */
function rawRows(stream: string, positions: PositionCounter): (events: NewEvent[]) => RawRow[] {
  let revision = -1;
  let prevHash = GENESIS_HASH;
  return (events) => {
    const recordedAt = new Date().toISOString();
    return events.map((event) => {
      const position = positions.next();
      revision++;
      const metadata = { ...event.metadata, recordedAt };
      const envelope = JSON.stringify({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        stream,
        revision,
        data: event.data,
        metadata,
        prevHash,
      });
      const hash = createHash('sha256').update(envelope).digest('hex');
      const row = {
        position,
        stream,
        eventId: event.eventId,
        revision,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(metadata),
        prevHash,
        hash,
      };
      prevHash = hash;
      return row;
    });
  };
}

const COLUMNS = 'position, event_id, stream, revision, type, schema_version, data, metadata, prev_hash, hash';

/** The same table as the ledger's (its own migrations create it), the same pragmas, one transaction per batch. */
async function rawSqliteAppender(file: string): Promise<Appender> {
  await (await SqliteEventStore.open(file)).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const commit = db.transaction((rows: RawRow[]) => {
    for (const r of rows)
      insert.run(
        r.position,
        r.eventId,
        r.stream,
        r.revision,
        r.type,
        r.schemaVersion,
        r.data,
        r.metadata,
        r.prevHash,
        r.hash,
      );
  });
  const rows = rawRows(STREAM, positionCounter());
  return {
    async append(events) {
      commit(rows(events));
    },
    async close() {
      db.close();
    },
  };
}

/** The same table as the ledger's, one multi-row INSERT per batch: a single statement is a single transaction, one round trip. */
async function rawPostgresAppender(url: string): Promise<Appender> {
  await (await PostgresEventStore.open(url)).close();
  return rawPostgresWriter(url, STREAM, positionCounter());
}

const rawStatements = new Map<number, string>();
function rawInsert(size: number): string {
  let text = rawStatements.get(size);
  if (text === undefined) {
    const values = Array.from(
      { length: size },
      (_, i) => `(${Array.from({ length: 10 }, (_, c) => `$${i * 10 + c + 1}`).join(', ')})`,
    ).join(', ');
    text = `INSERT INTO events (${COLUMNS}) VALUES ${values}`;
    rawStatements.set(size, text);
  }
  return text;
}

/** One connection inserting one stream's rows, its positions from `positions`. */
async function rawPostgresWriter(url: string, stream: string, positions: PositionCounter): Promise<Appender> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const rows = rawRows(stream, positions);
  return {
    async append(events) {
      const batch = rows(events);
      await client.query({
        // Prepared once per batch size, as a tuned hand-written writer would.
        name: `raw_insert_${batch.length}`,
        text: rawInsert(batch.length),
        values: batch.flatMap((r) => [
          r.position,
          r.eventId,
          r.stream,
          r.revision,
          r.type,
          r.schemaVersion,
          r.data,
          r.metadata,
          r.prevHash,
          r.hash,
        ]),
      });
    },
    close: () => client.end(),
  };
}

/** Many writers on one PostgreSQL database, each appending to a stream of its own. */
export interface ConcurrentWriters {
  /** One per writer; writer i appends to its own stream. */
  writers: Appender[];
  close(): Promise<void>;
}

/**
 * `count` writers on distinct streams. ledger: one PostgresEventStore, as one
 * service process holds it, shared by every writer, each append naming the
 * revision it expects. raw: a connection per writer, as a hand-written writer
 * with a pool would use, positions counted in memory across them.
 */
export async function openConcurrentWriters(
  subject: Exclude<Subject, 'peer'>,
  url: string,
  count: number,
): Promise<ConcurrentWriters> {
  const streams = Array.from({ length: count }, (_, i) => `${STREAM}-${i}`);
  if (subject === 'ledger') {
    const store = await PostgresEventStore.open(url);
    const writers = streams.map((stream): Appender => {
      let expected: ExpectedRevision = 'no_stream';
      return {
        async append(events) {
          expected = (await store.append(stream, events, expected)).nextExpectedRevision;
        },
        close: async () => undefined,
      };
    });
    return { writers, close: () => store.close() };
  }
  await (await PostgresEventStore.open(url)).close();
  const positions = positionCounter();
  const writers = await Promise.all(streams.map((stream) => rawPostgresWriter(url, stream, positions)));
  return { writers, close: async () => void (await Promise.all(writers.map((w) => w.close()))) };
}
