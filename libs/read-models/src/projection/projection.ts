import type { StoredEvent } from '@ledger/event-store';
import { CompiledQuery, type Insertable, type Kysely, type Migration, type SchemaModule } from 'kysely';
import type { Consumer } from '@ledger/read-store';
import { TableSuffixPlugin } from './table-suffix-plugin';

/** Migrations by key, applied in key order; each runs once per database. */
export type Migrations = Record<string, (db: Kysely<unknown>) => Promise<void>>;

/**
 * An index only queries read, never `apply`, whose keys fall on scattered
 * pages: kept up row by row it rewrites a page per row, built in one sort
 * over the finished table it costs a fraction of that. Dropped when the
 * projection catches up from zero and created, under this name, in the
 * transaction that reaches the head. Until then its queries are slower, never
 * wrong: an index holds nothing its table does not.
 */
export interface DeferredIndex {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
}

export function createDeferredIndex(db: { schema: SchemaModule }, index: DeferredIndex) {
  return db.schema
    .createIndex(index.name)
    .ifNotExists()
    .on(index.table)
    .columns([...index.columns])
    .execute();
}

/**
 * A projection: what the runner feeds from the log, under one checkpoint. Its
 * tables, how to create them, and how stored events change them. Written
 * against the canonical table names; a rebuild runs the same code on a fresh
 * generation of tables through TableSuffixPlugin.
 */
export interface ProjectionDefinition<DB extends object = object> {
  /** Lowercase letters, digits and underscores. */
  readonly name: string;
  /** Every table the projection owns, swapped together on rebuild. */
  readonly tables: readonly string[];
  /** Versioned and append-only, as for the event store. */
  readonly migrations: Migrations;
  readonly deferredIndexes?: readonly DeferredIndex[];
  apply(db: Kysely<DB>, events: readonly StoredEvent[]): Promise<void>;
}

export interface ProjectionConsumer<DB extends object = object> extends Consumer<DB> {
  readonly definition: ProjectionDefinition<DB>;
  /** '' for the live tables, `__rb<n>` for a generation being rebuilt. */
  readonly suffix: string;
}

/** The runner-facing consumer for one generation of a projection's tables. */
export function projectionConsumer<DB extends object>(
  definition: ProjectionDefinition<DB>,
  suffix = '',
): ProjectionConsumer<DB> {
  const plugin = suffix ? new TableSuffixPlugin(suffix) : undefined;
  const on = <T extends object>(db: Kysely<T>): Kysely<T> => (plugin ? db.withPlugin(plugin) : db);
  const migrations: Record<string, Migration> = Object.fromEntries(
    Object.entries(definition.migrations).map(([id, up]) => [
      id,
      { up: (db: Kysely<unknown>) => up(on(db)) },
    ]),
  );
  const deferred = definition.deferredIndexes ?? [];
  return {
    name: `${definition.name}${suffix}`,
    definition,
    suffix,
    migrations,
    apply: (trx, events) => definition.apply(on(trx), events),
    ...(deferred.length > 0 && {
      async startingFromZero(trx) {
        for (const index of deferred) await on(trx).schema.dropIndex(index.name).ifExists().execute();
      },
      // A rebuild's generation gets them at the swap, under their own names: an index keeps its name when its table is renamed.
      ...(!suffix && {
        async caughtUp(trx) {
          for (const index of deferred) await createDeferredIndex(trx, index);
        },
      }),
    }),
  };
}

/** The form `toISOString` writes; most instants arrive in it already (the ledger's own clock always writes it). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Instants are compared as text in SQL, so every one is stored in the same UTC
 * form. One already in it is kept as it is rather than parsed and printed
 * back the same (two per timeline row: 4% of catch-up's CPU); the edge has
 * checked it is a real calendar instant (checkInstant).
 */
export function utc(instant: string): string {
  return ISO_UTC.test(instant) ? instant : new Date(instant).toISOString();
}

/** Lists and records are stored as JSON text, the one form both SQLite and PostgreSQL columns take alike. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Rows per INSERT: parameter limits (SQLite 32766, PostgreSQL 65535) bound a statement of 14 columns. */
const ROWS_PER_INSERT = 500;
/** Each INSERT's SQL by its one-row form (table as the plugin in force names it, dialect, columns) and row count. */
const insertSql = new Map<string, string>();
/** A live trickle brings every row count from 1 to 500, each SQL up to 22 KB: the oldest go first. */
const INSERT_SQL_KEPT = 64;

/**
 * Inserts rows of one shape (the same columns in the same order), skipping
 * any whose key is already there: a replay inserts nothing new. Kysely builds
 * and compiles a node per value, which for catch-up's 500-row statements was
 * about a tenth of its CPU; the SQL only depends on the table, the columns
 * and the row count, so it is compiled once and later batches bind their values.
 */
export async function insertRows<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  rows: readonly Insertable<DB[T]>[],
): Promise<void> {
  const insert = (values: readonly Insertable<DB[T]>[]) =>
    db
      .insertInto(table)
      .values(values as never)
      .onConflict((oc) => oc.doNothing())
      .compile();
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const slice = rows.slice(i, i + ROWS_PER_INSERT);
    const columns = Object.keys(slice[0]) as (keyof Insertable<DB[T]>)[];
    const key = `${insert(slice.slice(0, 1)).sql}\u0000${slice.length}`;
    let sql = insertSql.get(key);
    if (sql === undefined) {
      sql = insert(slice).sql;
      insertSql.set(key, sql);
      if (insertSql.size > INSERT_SQL_KEPT) insertSql.delete(insertSql.keys().next().value as string);
    }
    const parameters: unknown[] = [];
    for (const row of slice) for (const column of columns) parameters.push(row[column]);
    await db.executeQuery(CompiledQuery.raw(sql, parameters));
  }
}
