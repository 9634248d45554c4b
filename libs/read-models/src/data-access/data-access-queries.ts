import { sql, type Kysely, type Selectable } from 'kysely';
import { positionCursor, type Page, type PageResult } from '../pages';
import type { DataAccessTables } from './data-access-tables';

export type DataAccessRow = Selectable<DataAccessTables['da_access']>;

export interface DataAccessFilter {
  datasetId?: string;
  actor?: string;
  /** Already pseudonymised by the caller: raw identifiers never reach the read store. */
  patientPseudonym?: string;
  purpose?: string;
  outcome?: string;
  systemId?: string;
  /** Only accesses no active grant covered. */
  violationsOnly?: boolean;
  from?: string;
  to?: string;
}

/** The accesses the filter matches, as one query that pages, counts and exports build on. */
function matching(db: Kysely<DataAccessTables>, tenant: string, filter: DataAccessFilter) {
  let query = db.selectFrom('da_access').where('tenant_id', '=', tenant);
  if (filter.datasetId) query = query.where('dataset_id', '=', filter.datasetId);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.patientPseudonym) query = query.where('patient_pseudonym', '=', filter.patientPseudonym);
  // A purpose or an outcome is one of a handful of values, so its index narrows a page least: beside a sharper
  // filter it is compared outside any index (`|| ''`), and SQLite, which keeps no statistics here, walks the
  // sharper filter's index (tenant_id, <filter>, position) instead. A dataset's TREAT page reads about one row
  // per row returned that way, three through da_access_purpose (issue 20). Relies on da_access_dataset_id,
  // da_access_actor, da_access_patient_pseudonym and da_access_system_id.
  const sharper = Boolean(filter.datasetId || filter.actor || filter.patientPseudonym || filter.systemId);
  const unindexed = (column: 'purpose' | 'outcome') =>
    sharper ? sql<string>`${sql.ref(column)} || ''` : column;
  if (filter.purpose) query = query.where(unindexed('purpose'), '=', filter.purpose);
  if (filter.outcome) query = query.where(unindexed('outcome'), '=', filter.outcome);
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.violationsOnly) query = query.where('violation', 'is not', null);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  return query;
}

/** Newest first. The cursor is the position, so a page never shifts while events are appended. */
export async function findDataAccess(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
  page: Page,
): Promise<PageResult<DataAccessRow>> {
  let query = matching(db, tenant, filter).selectAll();
  const after = positionCursor(page.after);
  if (after !== undefined) query = query.where('position', '<', after.toString());
  const rows = await query
    .orderBy('position', 'desc')
    .limit(page.first + 1)
    .execute();
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

/** How many accesses the filter matches in all, whatever page is shown. */
export async function countDataAccess(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
): Promise<number> {
  const { total } = await matching(db, tenant, filter)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(total);
}
