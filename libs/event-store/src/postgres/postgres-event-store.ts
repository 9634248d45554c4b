import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { Client, Pool, types } from 'pg';
import { migrateToLatest, type DialectDdl, type LedgerDb } from '../sql/schema';
import { SqlEventStore, type SqlEventStoreOptions } from '../sql/sql-event-store';

const CHANNEL = 'ledger_appended';
/** Key of the transaction-scoped advisory lock that serialises appenders (an arbitrary constant). */
const APPEND_LOCK = 720_412_001;

const POSTGRES_DDL: DialectDdl = {
  types: { int64: 'bigint', json: 'jsonb', uuid: 'uuid' },
  immutabilityGuard: [
    sql`CREATE FUNCTION ledger_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the ledger is append-only: % on events is forbidden', TG_OP; END $$`,
    sql`CREATE TRIGGER events_forbid_change BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change()`,
    sql`CREATE TRIGGER events_forbid_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change()`,
  ],
};

/** JSON columns come back as text, as they do from SQLite, so the shared code parses one shape. */
const textJson = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.JSONB || oid === types.builtins.JSON
      ? (value: string) => value
      : types.getTypeParser(oid, format),
};

export interface PostgresEventStoreOptions extends SqlEventStoreOptions {
  poolSize?: number;
}

export class PostgresEventStore extends SqlEventStore {
  readonly kind = 'postgres';
  private listener?: Client;
  private closed = false;

  private constructor(
    db: Kysely<LedgerDb>,
    private readonly connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    super(db, options);
  }

  static async open(
    connectionString: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const pool = new Pool({ connectionString, max: options.poolSize ?? 10, types: textJson });
    // An idle connection dies when PostgreSQL restarts or an administrator ends
    // it; the pool discards it and opens a new one on demand. Unhandled, the
    // 'error' event would crash the process instead.
    pool.on('error', () => undefined);
    // A connection in use (a write transaction between two statements) has no
    // pool listener, and pg reports its death as an 'error' event that would
    // crash the process just the same. The query in flight fails instead (an
    // outage, answered 503), and the pool discards the dead client on release.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<LedgerDb>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateToLatest(db, POSTGRES_DDL);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const store = new PostgresEventStore(db, connectionString, options);
    await store.listen();
    return store;
  }

  /**
   * BEGIN with the lock, and the NOTIFY with COMMIT, each go as one simple
   * query: an append is then four round trips instead of eight. The lock
   * still precedes the append's first read as its own statement, and under
   * READ COMMITTED that read's snapshot is taken after the lock is granted,
   * so it sees the previous holder's commit. The lock is released only after
   * this transaction's commit is visible. The NOTIFY is delivered at commit,
   * to every process listening: other replicas' subscriptions wake at once.
   */
  protected inWriteTransaction<T>(
    work: (trx: Transaction<LedgerDb> | Kysely<LedgerDb>) => Promise<T>,
    stored: (result: T) => boolean,
  ): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      await sql.raw(`BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK})`).execute(conn);
      try {
        const result = await work(conn);
        await sql.raw(stored(result) ? `SELECT pg_notify('${CHANNEL}', ''); COMMIT` : 'COMMIT').execute(conn);
        return result;
      } catch (error) {
        // A broken connection cannot roll back; the server ends its transaction when the session dies.
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
        throw error;
      }
    });
  }

  /** Live wake-ups from other processes. Best effort: subscriptions still poll, so a lost listener only adds latency. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.connectionString });
    client.on('notification', () => this.notifier.notify());
    client.on('error', () => {
      client.end().catch(() => undefined);
      if (this.listener === client) this.listener = undefined;
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
    } catch {
      await client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    }
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.db.destroy();
  }
}
