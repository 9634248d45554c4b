import { SqliteEventRows, SqliteEventStore, type EventHeader } from '@ledger/event-store';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEvent } from '../../../test/support/events';
import { ContentChecks } from './content-checks';

/**
 * On SQLite the checking threads read their batches' rows themselves while
 * the walk reads only headers: the two reads must meet the same events, or an
 * event the walk counted would pass without its content ever being checked.
 */
describe('content checks reading their own rows (SQLite)', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-content-checks-'));
    file = join(dir, 'events.sqlite');
    const store = await SqliteEventStore.open(file);
    try {
      for (const n of [1, 2, 3]) await store.append('system-1', [newEvent({ n })], 'any');
    } finally {
      await store.close();
    }
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function headers(): EventHeader[] {
    const rows = SqliteEventRows.openReadOnly(file);
    try {
      return rows.headers(0, 10);
    } finally {
      rows.close();
    }
  }

  async function check(walked: EventHeader[]): Promise<string[]> {
    const flagged: string[] = [];
    const checks = new ContentChecks((event) => flagged.push(event.eventId), {
      sqliteFile: file,
      threads: 1,
    });
    try {
      walked.forEach((event, i) => checks.add(event, { leafIndex: i, order: 3 * i }));
      await checks.finish();
      return flagged;
    } finally {
      await checks.close();
    }
  }

  it('checks every event the walk read, and flags none of an intact log', async () => {
    await expect(check(headers())).resolves.toEqual([]);
  });

  it('fails when an event the walk read is gone by the time its content is read', async () => {
    const walked = headers();
    // Raw SQL between the two reads, as an administrator who switched off the append-only guard.
    const db = new Database(file);
    try {
      db.exec('DROP TRIGGER events_forbid_delete; DELETE FROM events WHERE position = 2;');
    } finally {
      db.close();
    }
    await expect(check(walked)).rejects.toThrow(
      'positions 1 to 3: the walk read 3 events and 2 were read for their content',
    );
  });
});
