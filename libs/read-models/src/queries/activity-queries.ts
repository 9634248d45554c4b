import type { Selectable } from 'kysely';
import type { DataAccessTables } from '../projections/data-access/data-access-projection';
import { positionCursor, type Page, type PageResult, type ReadDb } from './read-db';

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

/** Newest first. The cursor is the position, so a page never shifts while events are appended. */
export async function findDataAccess(
  db: ReadDb,
  tenant: string,
  filter: DataAccessFilter,
  page: Page,
): Promise<PageResult<DataAccessRow>> {
  let query = db.selectFrom('da_access').selectAll().where('tenant_id', '=', tenant);
  if (filter.datasetId) query = query.where('dataset_id', '=', filter.datasetId);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.patientPseudonym) query = query.where('patient_pseudonym', '=', filter.patientPseudonym);
  if (filter.purpose) query = query.where('purpose', '=', filter.purpose);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.violationsOnly) query = query.where('violation', 'is not', null);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  const after = positionCursor(page.after);
  if (after !== undefined) query = query.where('position', '<', after.toString());
  const rows = await query
    .orderBy('position', 'desc')
    .limit(page.first + 1)
    .execute();
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

export interface TimelineFilter {
  systemId?: string;
  stream?: string;
  types?: readonly string[];
  from?: string;
  to?: string;
}

/** Oldest first, as a history reads. The cursor is the position. */
export async function findTimeline(db: ReadDb, tenant: string, filter: TimelineFilter, page: Page) {
  let query = db.selectFrom('tl_events').select(['position', 'event_id']).where('tenant_id', '=', tenant);
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.stream) query = query.where('stream', '=', filter.stream);
  if (filter.types?.length) query = query.where('type', 'in', [...filter.types]);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  const after = positionCursor(page.after);
  if (after !== undefined) query = query.where('position', '>', after.toString());
  const rows = await query
    .orderBy('position', 'asc')
    .limit(page.first + 1)
    .execute();
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}
