import type { Kysely } from 'kysely';
import type { RetentionEvent } from '@ledger/domain';
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

/**
 * Every event of a tenant as the retention report reads it, oldest first,
 * fetched a page at a time so a large ledger is never held in memory.
 */
export async function* retentionEventsOf(
  db: Kysely<TimelineTables>,
  tenant: string,
  pageSize = 5000,
): AsyncIterable<RetentionEvent> {
  let after: string | undefined;
  for (;;) {
    let query = db
      .selectFrom('tl_events')
      .select(['position', 'stream', 'system_id', 'type', 'recorded_at'])
      .where('tenant_id', '=', tenant);
    if (after !== undefined) query = query.where('position', '>', after);
    const rows = await query.orderBy('position', 'asc').limit(pageSize).execute();
    for (const row of rows)
      yield {
        type: row.type,
        stream: row.stream,
        systemId: row.system_id,
        recordedAt: row.recorded_at,
        position: BigInt(row.position),
      };
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].position.toString();
  }
}
