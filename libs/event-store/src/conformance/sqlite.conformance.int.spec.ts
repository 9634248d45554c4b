import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { runErasableValuesConformance } from './erasable-values.conformance';
import { runEventStoreConformance } from './event-store.conformance';

const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
const file = join(dir, 'events.sqlite');
const erasableFile = join(dir, 'erasable.sqlite');

const rawSqlOn = (path: string) => async (statement: string) => {
  const db = new Database(path);
  try {
    db.exec(statement);
  } catch (error) {
    // better-sqlite3's SqliteError is not an Error of the test's realm once another suite loaded the addon; keep its message.
    throw new Error((error as Error).message);
  } finally {
    db.close();
  }
};

runEventStoreConformance('sqlite', {
  open: () => SqliteEventStore.open(file),
  reopen: () => SqliteEventStore.open(file),
  rawSql: rawSqlOn(file),
  dispose: async () => rmSync(file, { force: true }),
});

runErasableValuesConformance('sqlite', {
  open: (erasableFields) => SqliteEventStore.open(erasableFile, { erasableFields }),
  plain: () => SqliteEventStore.open(erasableFile),
  reopen: (erasableFields) => SqliteEventStore.open(erasableFile, { erasableFields }),
  rawSql: rawSqlOn(erasableFile),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});
