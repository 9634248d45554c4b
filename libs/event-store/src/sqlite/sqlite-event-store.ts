import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, sql, type Transaction } from 'kysely';
import { migrateToLatest, type DialectDdl, type LedgerDb } from '../sql/schema';
import { SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store';
import { cachedStatementsDialect } from './cached-statements';
import { inImmediateTransaction } from './immediate-transaction';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'EXTRA';

export interface SqliteEventStoreOptions extends SqlEventStoreOptions {
  /** FULL (the default) makes every acknowledged append survive power loss, not only a process kill. */
  synchronous?: SqliteSynchronous;
}

const guard = (op: 'UPDATE' | 'DELETE') =>
  sql`CREATE TRIGGER events_forbid_${sql.raw(op.toLowerCase())} BEFORE ${sql.raw(op)} ON events
      BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: ${sql.raw(op)} on events is forbidden'); END`;

const SQLITE_DDL: DialectDdl = {
  types: { int64: 'integer', json: 'text', uuid: 'text' },
  immutabilityGuard: [guard('UPDATE'), guard('DELETE')],
};

/** The embedded default: one file, WAL, one writer at a time (BEGIN IMMEDIATE), readers never blocked. */
export class SqliteEventStore extends SqlEventStore {
  readonly kind = 'sqlite';

  private constructor(
    db: Kysely<LedgerDb>,
    private readonly database: Database.Database,
    private readonly file: string,
    options: SqliteEventStoreOptions,
  ) {
    super(db, options);
  }

  static async open(file: string, options: SqliteEventStoreOptions = {}): Promise<SqliteEventStore> {
    mkdirSync(dirname(file), { recursive: true });
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // Another process (the CLI, a second replica) may hold the write lock briefly.
    database.pragma('busy_timeout = 5000');
    const db = new Kysely<LedgerDb>({ dialect: cachedStatementsDialect(database) });
    await migrateToLatest(db, SQLITE_DDL);
    return new SqliteEventStore(db, database, file, options);
  }

  get path(): string {
    return this.file;
  }

  protected inWriteTransaction<T>(
    work: (trx: Transaction<LedgerDb> | Kysely<LedgerDb>) => Promise<T>,
  ): Promise<T> {
    return inImmediateTransaction(this.db, this.database, work);
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
