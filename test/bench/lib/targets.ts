import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '../../support/postgres';
import type { Db, Target } from './appenders';

export interface Place {
  target: Target;
  remove(): Promise<void>;
}

/**
 * A fresh, empty place to write: a SQLite file under the run's data directory
 * (on the disk, so fsync means something), or a PostgreSQL database created
 * for one measurement alone. The runner makes and removes it around the
 * child that writes there: dropping a database (WITH FORCE) under a child
 * that still holds a pooled connection would crash that child.
 */
export async function freshPlace(db: Db, dataDir: string): Promise<Place> {
  if (db === 'sqlite') {
    const dir = mkdtempSync(join(dataDir, 'sqlite-'));
    return {
      target: { db, file: join(dir, 'events.sqlite') },
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const database = await createTestDatabase('ledger_bench');
  return { target: { db, url: database.url }, remove: () => database.drop() };
}
