/**
 * The peer event store: Emmett's SQLite and PostgreSQL event stores, each
 * given its best set-up here (one open SQLite connection instead of one per
 * call; Emmett's own pool on PostgreSQL) and the same durability as the
 * ledger. Its packages live in test/bench/node_modules, so this folder is
 * outside the root typecheck and lint.
 */
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { getSQLiteEventStore, sqliteConnection } from '@event-driven-io/emmett-sqlite';
import type { NewEvent } from '@ledger/event-store';
import type { Appender, Target } from '../lib/appenders';
import { STREAM } from '../lib/workload';

type PeerEvent = { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> };

/** The same event, in Emmett's shape; Emmett adds its own message id and positions, the ledger its recordedAt. */
function toPeerEvents(events: NewEvent[]): PeerEvent[] {
  const recordedAt = new Date().toISOString();
  return events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata: { ...e.metadata, eventId: e.eventId, schemaVersion: e.schemaVersion, recordedAt } }));
}

export async function peerAppender(target: Target): Promise<Appender> {
  return target.db === 'sqlite' ? sqlitePeer(target.file) : postgresPeer(target.url);
}

async function sqlitePeer(file: string): Promise<Appender> {
  const connection = sqliteConnection({ fileName: file });
  await connection.command('PRAGMA journal_mode = WAL');
  await connection.command('PRAGMA synchronous = FULL');
  const mode = await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous');
  // 2 is FULL: a figure measured at a weaker durability would not be comparable.
  if (mode?.synchronous !== 2) throw new Error(`Emmett's SQLite connection runs with synchronous=${mode?.synchronous}, not FULL`);
  const store = getSQLiteEventStore({ fileName: file, connectionOptions: { singleton: true, connection } });
  let expected = 0n;
  return {
    async append(events) {
      expected = (await store.appendToStream(STREAM, toPeerEvents(events), { expectedStreamVersion: expected })).nextExpectedStreamVersion;
    },
    async close() {
      connection.close();
    },
  };
}

async function postgresPeer(url: string): Promise<Appender> {
  const store = getPostgreSQLEventStore(url);
  let expected = 0n;
  return {
    async append(events) {
      expected = (await store.appendToStream(STREAM, toPeerEvents(events), { expectedStreamVersion: expected })).nextExpectedStreamVersion;
    },
    close: () => store.close(),
  };
}
