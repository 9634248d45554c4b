import type { ReadStore } from '@ledger/read-store';
import { type Kysely, sql } from 'kysely';
import { PROJECTIONS } from '../projections';

/** Every row of every projection table, in a stable order: two read models are equal when their dumps are. */
export async function dumpProjections(db: Kysely<object>): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const projection of PROJECTIONS)
    for (const table of projection.tables) {
      const rows = await (db as Kysely<Record<string, Record<string, unknown>>>)
        .selectFrom(table)
        .selectAll()
        .execute();
      dump[table] = rows
        .map((r) =>
          JSON.stringify(
            Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])),
          ),
        )
        .sort();
    }
  return dump;
}

/**
 * The indexes on each deferred index's table that carry its name, with or
 * without a rebuild generation's suffix: exactly its own name once a
 * projection has caught up, however it got there.
 */
export async function deferredIndexNames(readStore: ReadStore): Promise<string[]> {
  const names: string[] = [];
  for (const projection of PROJECTIONS)
    for (const index of projection.deferredIndexes ?? []) {
      const { rows } = await (
        readStore.kind === 'sqlite'
          ? sql<{
              name: string;
            }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${index.table}`
          : sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = ${index.table}`
      ).execute(readStore.db);
      names.push(...rows.map((row) => row.name).filter((name) => name.startsWith(index.name)));
    }
  return names.sort();
}
