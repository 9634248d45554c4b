import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
} from 'kysely';
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
  /** Each must hold: the conditions a FHIR AuditEvent search puts on the columns; asked within a window only. */
  conditions?: readonly AccessCondition[];
}

/** A column an AuditEvent search parameter is matched on. */
export type AccessColumn =
  | 'actor'
  | 'system_id'
  | 'patient_pseudonym'
  | 'dataset_id'
  | 'resource'
  | 'action'
  | 'outcome'
  | 'source_service';

/**
 * One condition on an access: a column equal to one of some values, a column
 * present, any of several conditions (an empty list holds for none), the
 * instant it occurred within [from, before), or, for an access kept as the
 * FHIR AuditEvent it was sent as, one of its search tokens (sentSearchTokens),
 * the `otherwise` condition deciding for every other access.
 */
export type AccessCondition =
  | { column: AccessColumn; oneOf: readonly string[] }
  | { present: AccessColumn }
  | { anyOf: readonly AccessCondition[] }
  | { occurred: { from?: string; before?: string } }
  | { sent: readonly string[]; otherwise: AccessCondition };

type AccessExpressions = ExpressionBuilder<DataAccessTables, 'da_access'>;

/** A column compared outside any index: `|| ''` leaves the value (and a null null) but no index matches it. */
const outsideIndex = (column: AccessColumn | 'purpose' | 'occurred_at') =>
  sql<string>`${sql.ref(column)} || ''`;

/**
 * Kysely writes an empty OR as 1 = 0 and an empty AND as 1 = 1. Every column is compared outside its index:
 * conditions are only asked within a window of positions (findDataAccess), and an index on a condition's
 * column would let the planner read every access holding its value (a date range, a regulator's system)
 * rather than the window's.
 */
function holds(eb: AccessExpressions, condition: AccessCondition): Expression<SqlBool> {
  if ('column' in condition)
    return eb.or(
      condition.oneOf.length > 0 ? [eb(outsideIndex(condition.column), 'in', condition.oneOf)] : [],
    );
  if ('present' in condition) return eb(outsideIndex(condition.present), 'is not', null);
  if ('anyOf' in condition) return eb.or(condition.anyOf.map((c) => holds(eb, c)));
  if ('sent' in condition)
    return eb.or([
      eb.and([eb('sent_fhir', 'is', null), holds(eb, condition.otherwise)]),
      eb.and([
        eb('sent_fhir', '=', 1),
        eb.exists(
          eb
            .selectFrom('da_sent_tokens')
            .select('da_sent_tokens.position')
            .whereRef('da_sent_tokens.tenant_id', '=', 'da_access.tenant_id')
            .whereRef('da_sent_tokens.position', '=', 'da_access.position')
            .where('da_sent_tokens.token', 'in', condition.sent),
        ),
      ]),
    ]);
  const { from, before } = condition.occurred;
  return eb.and([
    ...(from !== undefined ? [eb(outsideIndex('occurred_at'), '>=', from)] : []),
    ...(before !== undefined ? [eb(outsideIndex('occurred_at'), '<', before)] : []),
  ]);
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
  const unindexed = (column: 'purpose' | 'outcome') => (sharper ? outsideIndex(column) : column);
  if (filter.purpose) query = query.where(unindexed('purpose'), '=', filter.purpose);
  if (filter.outcome) query = query.where(unindexed('outcome'), '=', filter.outcome);
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.violationsOnly) query = query.where('violation', 'is not', null);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  for (const condition of filter.conditions ?? []) query = query.where((eb) => holds(eb, condition));
  return query;
}

/**
 * The positions a windowed page may read, nearest the cursor first: the
 * tenant's accesses, or, when the filter names patients, those patients'
 * (their index holds them in position order). Only these are read.
 */
function windowed(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
  bounds: { after?: bigint; before?: bigint },
) {
  let query = db.selectFrom('da_access').select('position').where('tenant_id', '=', tenant);
  const patients = filter.conditions?.find(
    (c): c is Extract<AccessCondition, { column: unknown }> =>
      'column' in c && c.column === 'patient_pseudonym' && c.oneOf.length > 0,
  );
  if (patients) query = query.where('patient_pseudonym', 'in', patients.oneOf);
  if (bounds.after !== undefined) query = query.where('position', '<', bounds.after.toString());
  if (bounds.before !== undefined) query = query.where('position', '>', bounds.before.toString());
  return query.orderBy('position', bounds.before === undefined ? 'desc' : 'asc');
}

/** The window's far end when it is full (`size` accesses or more lie beyond the cursor), else undefined. */
async function windowEdge(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
  bounds: { after?: bigint; before?: bigint },
  size: number,
): Promise<string | undefined> {
  const edge = await windowed(db, tenant, filter, bounds)
    .limit(1)
    .offset(size - 1)
    .executeTakeFirst();
  return edge === undefined ? undefined : String(edge.position);
}

/**
 * Newest first. The cursor is the position, so a page never shifts while events are appended. `before` turns
 * back: the page of accesses just newer than that cursor, still shown newest first, and `hasNextPage` then
 * says whether there are newer ones still.
 *
 * With `window`, a page reads at most that many accesses (see windowed), whatever the filter: a filter no
 * index narrows then costs a window per page, not the whole ledger per page. A page the window ran out on
 * holds fewer than `first` rows, maybe none, and `resumeAt` says where the next one in its direction starts:
 * its last row when it is full, else the window's far end.
 */
export async function findDataAccess(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
  page: Page & { before?: string; window?: number },
): Promise<PageResult<DataAccessRow> & { resumeAt?: string }> {
  let query = matching(db, tenant, filter).selectAll();
  const bounds = { after: positionCursor(page.after), before: positionCursor(page.before) };
  if (bounds.after !== undefined) query = query.where('position', '<', bounds.after.toString());
  if (bounds.before !== undefined) query = query.where('position', '>', bounds.before.toString());
  let edge: string | undefined;
  if (page.window !== undefined) {
    edge = await windowEdge(db, tenant, filter, bounds, page.window);
    // Looked up by position, the one plan that reads no more than the window, whichever columns the filter is on.
    query = query.where('position', 'in', windowed(db, tenant, filter, bounds).limit(page.window));
  }
  const rows = await query
    .orderBy('position', bounds.before === undefined ? 'desc' : 'asc')
    .limit(page.first + 1)
    .execute();
  const shown = rows.slice(0, page.first);
  const full = rows.length > page.first;
  const resumeAt = full ? String(shown.at(-1)!.position) : edge;
  return {
    rows: bounds.before === undefined ? shown : shown.reverse(),
    hasNextPage: full || edge !== undefined,
    ...(resumeAt !== undefined ? { resumeAt } : {}),
  };
}

/**
 * How many accesses the filter matches in all, whatever page is shown. With `within`, undefined when the
 * accesses a window would read (the tenant's, or the named patients') are more than that: counting them
 * would read them all.
 */
export async function countDataAccess(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
): Promise<number>;
export async function countDataAccess(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
  within: number,
): Promise<number | undefined>;
export async function countDataAccess(
  db: Kysely<DataAccessTables>,
  tenant: string,
  filter: DataAccessFilter,
  within?: number,
): Promise<number | undefined> {
  let query = matching(db, tenant, filter);
  if (within !== undefined) {
    if ((await windowEdge(db, tenant, filter, {}, within + 1)) !== undefined) return undefined;
    query = query.where('position', 'in', windowed(db, tenant, filter, {}).limit(within));
  }
  const { total } = await query
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(total);
}
