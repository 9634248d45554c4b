import type Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

// Enough for every distinct statement the service issues (an IN list of each
// length is its own SQL), small enough that a long tail cannot grow without bound.
const CAPACITY = 500;

/**
 * Kysely's SQLite driver prepares every query afresh; for a one-row append or
 * a point read, SQLite's compile then costs about as much as running it. This
 * dialect reuses prepared statements by SQL text (least recently used out).
 * Kysely runs one query at a time on a SQLite connection (a stream holds it
 * until done), so a cached statement is never asked for while still in use.
 */
export function cachedStatementsDialect(database: Database.Database): SqliteDialect {
  const statements = new Map<string, Database.Statement>();
  return new SqliteDialect({
    database: {
      close: () => database.close(),
      prepare(sql: string) {
        const statement = statements.get(sql) ?? database.prepare(sql);
        statements.delete(sql);
        statements.set(sql, statement);
        if (statements.size > CAPACITY) statements.delete(statements.keys().next().value as string);
        return statement;
      },
    },
  });
}
