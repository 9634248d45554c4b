import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  type RawBuilder,
  sql,
} from 'kysely';

/** Row shape shared by both SQL stores. JSON columns come back as text on both (see the adapters). */
export interface EventsTable {
  position: number | string;
  event_id: string;
  stream: string;
  revision: number | string;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  prev_hash: string;
  hash: string;
  /** 1: the hash covers every value; 2: it covers commitments to the erasable ones (see @ledger/integrity erasable). */
  hash_scheme: number;
}

/**
 * The erasable values of a scheme-2 event and their salts (JSON text of
 * ErasableValues), outside what its hash covers: the only ledger rows an
 * erasure may change, and only by taking values out.
 */
export interface EventValuesTable {
  /**
   * Keyed by the event's position, so each append adds its rows at the end of
   * the table: keyed by the random event id, every row landed on another page
   * of a second index, which cost an append as much as its event's own row.
   */
  position: number;
  /** Whose values they are: a row is read only beside the event it names, so values never open another event moved to its position. */
  event_id: string;
  erasable: string;
}

export interface LedgerDb {
  events: EventsTable;
  event_values: EventValuesTable;
}

/** The few column types SQL dialects spell differently; everything else is one schema. */
export interface DialectTypes {
  /** SQLite: `integer` makes the column the rowid; PostgreSQL: `bigint`. */
  int64: 'integer' | 'bigint';
  json: 'text' | 'jsonb';
  uuid: 'text' | 'uuid';
}

export interface DialectDdl {
  types: DialectTypes;
  /** Statements that make UPDATE, DELETE (and TRUNCATE where it exists) on `events` fail. */
  immutabilityGuard: RawBuilder<unknown>[];
  /** Statements that create a server-side append function, where the dialect appends through one (PostgreSQL). */
  appendFunction: RawBuilder<unknown>[];
  /** Statements that tune the append function once it exists (PostgreSQL: how its statements are planned). */
  appendFunctionTuning: RawBuilder<unknown>[];
  /** Statements that make an append also keep erasable values (PostgreSQL: its append function, replaced), and keep their rows. */
  erasableValues: RawBuilder<unknown>[];
  /** The same, once the values table is keyed by position: its rows kept again, and an append writing the position (PostgreSQL). */
  valuesByPosition: RawBuilder<unknown>[];
  /** Statements that make the append function read `events` through its indexes only, whatever its size when planned (PostgreSQL). */
  appendFunctionIndexReads: RawBuilder<unknown>[];
}

/** Versioned, append-only list: a released migration is never edited, only followed by a new one. */
function migrations(ddl: DialectDdl): Record<string, Migration> {
  const { types } = ddl;
  return {
    '0001_events': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('events')
          .addColumn('position', types.int64, (c) => c.primaryKey())
          .addColumn('event_id', types.uuid, (c) => c.notNull().unique())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('revision', types.int64, (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('schema_version', 'integer', (c) => c.notNull())
          .addColumn('data', types.json, (c) => c.notNull())
          .addColumn('metadata', types.json, (c) => c.notNull())
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addUniqueConstraint('events_stream_revision', ['stream', 'revision'])
          .execute();
        for (const statement of ddl.immutabilityGuard) await statement.execute(db);
      },
    },
    '0002_append_function': {
      async up(db: Kysely<unknown>) {
        for (const statement of ddl.appendFunction) await statement.execute(db);
      },
    },
    '0003_append_function_tuning': {
      async up(db: Kysely<unknown>) {
        for (const statement of ddl.appendFunctionTuning) await statement.execute(db);
      },
    },
    // Every event stored before this migration was hashed under scheme 1, which the default records.
    '0004_erasable_values': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('events')
          .addColumn('hash_scheme', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema
          .createTable('event_values')
          .addColumn('event_id', types.uuid, (c) => c.primaryKey())
          // Text on both dialects: the store only ever reads it back whole, so PostgreSQL need not parse it as jsonb.
          .addColumn('erasable', 'text', (c) => c.notNull())
          .execute();
        for (const statement of ddl.erasableValues) await statement.execute(db);
      },
    },
    '0005_values_by_position': {
      async up(db: Kysely<unknown>) {
        // One transaction where the migrator runs none (SQLite): a crash leaves the values where they were, or moved whole.
        const move = async (trx: Kysely<unknown>) => {
          await trx.schema
            .createTable('event_values_by_position')
            .addColumn('position', types.int64, (c) => c.primaryKey())
            .addColumn('event_id', types.uuid, (c) => c.notNull())
            .addColumn('erasable', 'text', (c) => c.notNull())
            .execute();
          await sql`INSERT INTO event_values_by_position (position, event_id, erasable)
                    SELECT e.position, v.event_id, v.erasable
                    FROM event_values v JOIN events e ON e.event_id = v.event_id`.execute(trx);
          // Dropping a table fires no row trigger on either dialect: every row has just been copied.
          await trx.schema.dropTable('event_values').execute();
          await trx.schema.alterTable('event_values_by_position').renameTo('event_values').execute();
          for (const statement of ddl.valuesByPosition) await statement.execute(trx);
        };
        await (db.isTransaction ? move(db) : db.transaction().execute(move));
      },
    },
    '0006_append_function_index_reads': {
      async up(db: Kysely<unknown>) {
        for (const statement of ddl.appendFunctionIndexReads) await statement.execute(db);
      },
    },
  };
}

export async function migrateToLatest(db: Kysely<LedgerDb>, ddl: DialectDdl): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(ddl) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'ledger_migrations',
    migrationLockTableName: 'ledger_migrations_lock',
  });
  const outcome = await migrator.migrateToLatest();
  if (outcome.error) throw migrationFailure('event store', outcome);
}

/**
 * What a failed migration run says: the migration that failed, or, when none is named, that none could run (the
 * database unreachable, say). `module` names a read store's set of migrations.
 */
export function migrationFailure(
  store: 'event store' | 'read store',
  { error, results }: MigrationResultSet,
  module?: string,
): Error {
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  const reason = error instanceof Error ? error.message : String(error);
  if (failed) return new Error(`${store} migration ${module ? `${module}/` : ''}${failed} failed: ${reason}`);
  return new Error(`${store} migrations${module ? ` of ${module}` : ''} could not run: ${reason}`);
}
