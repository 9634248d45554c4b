import type Database from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';

/**
 * Runs `work` in one SQLite write transaction: commits when it resolves, rolls
 * back when it throws. IMMEDIATE takes the write lock before the first read, so
 * two processes cannot both read the same state and then race (or deadlock
 * upgrading their read locks) to write it. `database` is the connection behind
 * `db`, asked whether a transaction is still open.
 */
export function inImmediateTransaction<DB, T>(
  db: Kysely<DB>,
  database: Database.Database,
  work: (conn: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const result = await work(conn);
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (error) {
      // After a full disk or an I/O error SQLite has already rolled back; a
      // second ROLLBACK would fail and hide the cause the caller must see.
      if (database.inTransaction) await sql`ROLLBACK`.execute(conn);
      throw error;
    }
  });
}
