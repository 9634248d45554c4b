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
    } finally {
      db.close();
    }
  },
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});
