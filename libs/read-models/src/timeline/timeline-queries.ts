import type { Kysely } from 'kysely';
import { positionCursor, type Page } from '../pages';
import type { TimelineTables } from './timeline-tables';

export interface TimelineFilter {
  systemId?: string;
  stream?: string;
  types?: readonly string[];
  from?: string;
  to?: string;
}

/** Oldest first, as a history reads. The cursor is the position. */
export async function findTimeline(
  db: Kysely<TimelineTables>,
  tenant: string,
  filter: TimelineFilter,
  page: Page,
) {
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
