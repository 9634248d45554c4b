import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '../../support/postgres';
import type { Db, Target } from './appenders';

/**
 * A fresh, empty place to write, removed afterwards: a SQLite file under the
 * run's data directory (on the disk, not a tmpfs, so fsync means something),
 * or a PostgreSQL database created for this measurement alone.
 */
export async function withTarget<T>(db: Db, dataDir: string, work: (target: Target) => Promise<T>): Promise<T> {
  if (db === 'sqlite') {
    const dir = mkdtempSync(join(dataDir, 'sqlite-'));
    try {
      return await work({ db, file: join(dir, 'events.sqlite') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const database = await createTestDatabase('ledger_bench');
  try {
    return await work({ db, url: database.url });
  } finally {
    await database.drop();
  }
}
