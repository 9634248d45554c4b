import type { Kysely } from 'kysely';
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
