import Database from 'better-sqlite3';
import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  cachedStatementsDialect,
  limitPageCache,
  inImmediateTransaction,
  migrationFailure,
  pg,
  WalCheckpointThread,
  type WalCheckpointThreadOptions,
} from '@ledger/event-store';

export type ReadStoreKind = 'sqlite' | 'postgres';

export interface ReadStoreOptions {
  kind: ReadStoreKind;
  /** SQLite: the database file (the app passes `<LEDGER_DATA_DIR>/read.sqlite`). */
  sqliteFile?: string;
  /** PostgreSQL: a postgres:// connection URL. */
  databaseUrl?: string;
  poolSize?: number;
  /** SQLite, for a long-lived writer: the file's WAL checkpointed on a thread, not inside commits (see WalCheckpointThread). */
  walCheckpointThread?: WalCheckpointThreadOptions;
}

/**
 * Where projections and the sealer keep what they derive from the event store.
 * Tables belong to the module that migrates them; `db` is typed per module with
 * `withTables<...>()` or a runner's generic.
 */
export interface ReadStore {
  readonly kind: ReadStoreKind;
  readonly db: Kysely<object>;
  /** SQLite's file, for a reader that opens a read-only connection of its own (verify reads the sealer's leaf record so). */
  readonly sqliteFile?: string;
  /**
   * Runs `work` in one write transaction: commits when it resolves, rolls back
   * when it throws. On SQLite the write lock is taken up front (BEGIN
   * IMMEDIATE) so two processes never deadlock upgrading a read lock.
   */
  inWriteTransaction<T>(work: (trx: Kysely<object>) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one consistent snapshot of the read store that neither
   * blocks nor waits for the writers: a long read (a week of a busy model's
   * outputs) sees every table as of one instant while projections go on.
   * SQLite reads through a connection of its own (WAL keeps its snapshot);
   * PostgreSQL in a REPEATABLE READ transaction.
   */
  inReadSnapshot<T>(work: (trx: Kysely<object>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openReadStore(options: ReadStoreOptions): Promise<ReadStore> {
  switch (options.kind) {
    case 'sqlite':
      return openSqlite(
        required(options.sqliteFile, 'sqliteFile', 'a SQLite read store needs a file path'),
        options.walCheckpointThread,
      );
    case 'postgres':
      return openPostgres(
        required(options.databaseUrl, 'databaseUrl', 'a PostgreSQL read store needs a postgres:// URL'),
        options.poolSize ?? 5,
      );
    default: {
      const unknownKind: never = options.kind;
      throw new Error(`read store kind must be sqlite or postgres, got ${String(unknownKind)}`);
    }
  }
}

function openSqlite(file: string, walCheckpointThread?: WalCheckpointThreadOptions): ReadStore {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  // Read models are disposable: everything here can be re-derived from the
  // event store, and each batch commits together with its checkpoint, so a
  // power cut that loses the last commits only makes a projection re-apply
  // them. NORMAL saves an fsync per batch. (The event store stays at FULL.)
  database.pragma('synchronous = NORMAL');
  // The CLI or a second process may hold the write lock for a moment.
  database.pragma('busy_timeout = 5000');
  limitPageCache(database, 'long-lived');
  const checkpoints = walCheckpointThread && new WalCheckpointThread(database, file, walCheckpointThread);
  const db = new Kysely<object>({ dialect: cachedStatementsDialect(database) });
  // Opened on first use: most processes never take a snapshot.
  let snapshots: Kysely<object> | undefined;
  return {
    kind: 'sqlite',
    db,
    sqliteFile: file,
    inWriteTransaction: (work) => inImmediateTransaction(db, database, work),
    inReadSnapshot(work) {
      if (!snapshots) {
        const reader = new Database(file, { readonly: true });
        limitPageCache(reader, 'long-lived');
        snapshots = new Kysely<object>({ dialect: new SqliteDialect({ database: reader }) });
      }
      return snapshots.transaction().execute(work);
    },
    async close() {
      await snapshots?.destroy();
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

async function openPostgres(connectionString: string, max: number): Promise<ReadStore> {
  // Asynchronous commit, for the read store's sessions only: what they write
  // is re-derived from the event store after a crash (a batch and its
  // checkpoint are lost together, never apart), and skipping the WAL flush
  // keeps projections and the sealer from doubling the flushes appends wait on.
  const pool = new (pg().Pool)({ connectionString, max, options: '-c synchronous_commit=off' });
  // A server restart or failover kills idle connections; without a listener
  // the pool's 'error' event would crash the process. The pool has already
  // dropped the dead client, and the next query connects afresh.
  pool.on('error', () => undefined);
  // A connection in use (a projection's batch between two statements) has no
  // pool listener either; its death must fail the batch, which the runner
  // retries, not the process. The pool discards the dead client on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    kind: 'postgres',
    db,
    inWriteTransaction: (work) => db.transaction().execute(work),
    inReadSnapshot: (work) => db.transaction().setIsolationLevel('repeatable read').execute(work),
    close: () => db.destroy(),
  };
}

function required(value: string | undefined, field: string, rule: string): string {
  if (!value) throw new Error(`${field} is required: ${rule}`);
  return value;
}

/**
 * Runs one module's migrations. Each module (a projection, the sealer, the
 * runner's checkpoints) keeps its own migration table, so it owns its schema
 * history and a projection can be dropped and rebuilt without touching another's.
 */
export async function migrateModule(
  store: ReadStore,
  module: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  if (!/^[a-z][a-z0-9_]*$/.test(module))
    throw new Error(
      `module name ${JSON.stringify(module)} must be lowercase letters, digits and underscores`,
    );
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db: store.db,
    provider,
    migrationTableName: `${module}_migrations`,
    migrationLockTableName: `${module}_migrations_lock`,
  });
  // Kysely locks migrations on PostgreSQL but not across SQLite processes:
  // when the service and the CLI start together on a new file, one of them
  // loses the race. Its migration rolled back whole, so running it again
  // finds the winner's work recorded and has nothing left to do.
  const attempts = store.kind === 'sqlite' ? 5 : 1;
  for (let attempt = 1; ; attempt++) {
    const outcome = await migrator.migrateToLatest();
    if (!outcome.error) return;
    if (attempt < attempts) {
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      continue;
    }
    throw migrationFailure('read store', outcome, module);
  }
}
