import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { runEventStoreConformance } from './event-store.conformance';

const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
const file = join(dir, 'events.sqlite');

runEventStoreConformance('sqlite', {
  open: () => SqliteEventStore.open(file),
  reopen: () => SqliteEventStore.open(file),
  rawSql: async (statement) => {
    const db = new Database(file);
    try {
      db.exec(statement);
    } catch (error) {
      // better-sqlite3's SqliteError is not an Error of the test's realm once another suite loaded the addon; keep its message.
      throw new Error((error as Error).message);
    } finally {
      db.close();
    }
  },
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});
