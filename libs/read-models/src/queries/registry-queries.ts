import type { ExpressionBuilder, Selectable } from 'kysely';
import type { RegistryTables } from '../projections/registry/registry-tables';
import { decodeCursor, encodeCursor, parseJson, type Page, type PageResult, type ReadDb } from './read-db';

export interface SystemFilter {
  status?: string;
  riskClass?: string;
  site?: string;
  /** Systems where this person holds a role now. */
  roleHolder?: string;
  /** Only these systems (a regulator sees the systems granted to it). */
  systemIds?: readonly string[];
}

export type SystemRow = Selectable<RegistryTables['reg_systems']>;

/** Assignments in force at `at`: started, not yet ended. Acceptance is reported, not required, so a pending holder shows as pending. */
const inForceAt = (at: string) => (eb: ExpressionBuilder<RegistryTables, 'reg_assignments'>) =>
  eb.and([
    eb('reg_assignments.effective_from', '<=', at),
    eb.or([eb('reg_assignments.effective_to', 'is', null), eb('reg_assignments.effective_to', '>', at)]),
  ]);

export async function findSystems(
  db: ReadDb,
  tenant: string,
  filter: SystemFilter,
  page: Page,
  now: string,
): Promise<PageResult<SystemRow>> {
  let query = db
    .selectFrom('reg_systems')
    .selectAll('reg_systems')
    .where('reg_systems.tenant_id', '=', tenant);
  if (filter.status) query = query.where('reg_systems.status', '=', filter.status);
  if (filter.riskClass) query = query.where('reg_systems.risk_class', '=', filter.riskClass);
  if (filter.systemIds)
    query = query.where(
      'reg_systems.system_id',
      'in',
      filter.systemIds.length > 0 ? [...filter.systemIds] : [''],
    );
  if (filter.site)
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('reg_system_sites')
          .select('reg_system_sites.site')
          .whereRef('reg_system_sites.tenant_id', '=', 'reg_systems.tenant_id')
          .whereRef('reg_system_sites.system_id', '=', 'reg_systems.system_id')
          .where('reg_system_sites.site', '=', filter.site!),
      ),
    );
  if (filter.roleHolder)
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('reg_assignments')
          .select('reg_assignments.role')
          .where(inForceAt(now))
          .whereRef('reg_assignments.tenant_id', '=', 'reg_systems.tenant_id')
          .whereRef('reg_assignments.system_id', '=', 'reg_systems.system_id')
          .where('reg_assignments.assignee', '=', filter.roleHolder!),
      ),
    );
  const after = decodeCursor(page.after);
  if (after !== undefined) query = query.where('reg_systems.system_id', '>', after);
  const rows = await query
    .orderBy('reg_systems.system_id')
    .limit(page.first + 1)
    .execute();
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

export const systemCursor = (row: { system_id: string }) => encodeCursor(row.system_id);

export interface RoleHolding {
  systemId: string;
  role: string;
  assignmentId: string;
  holder: string;
  since: string;
  assignedBy: string;
  acceptedAt: string | null;
  accepted: boolean;
  until: string | null;
  assignedEventId: string;
  acceptedEventId: string | null;
}

/** Who held each role of these systems at `at`; an acceptance after `at` does not count yet. */
export async function holdingsAt(
  db: ReadDb,
  tenant: string,
  systemIds: readonly string[],
  at: string,
): Promise<RoleHolding[]> {
  if (systemIds.length === 0) return [];
  const rows = await db
    .selectFrom('reg_assignments')
    .selectAll()
    .where(inForceAt(at))
    .where('tenant_id', '=', tenant)
    .where('system_id', 'in', systemIds)
    .orderBy('role')
    .orderBy('effective_from')
    .execute();
  return rows.map((r) => {
    const accepted = r.accepted_at !== null && r.accepted_at <= at;
    return {
      systemId: r.system_id,
      role: r.role,
      assignmentId: r.assignment_id,
      holder: r.assignee,
      since: r.effective_from,
      assignedBy: r.assigned_by,
      acceptedAt: accepted ? r.accepted_at : null,
      accepted,
      until: r.effective_to,
      assignedEventId: r.assigned_event_id,
      acceptedEventId: accepted ? r.accepted_event_id : null,
    };
  });
}

/** The children auditors see with a system, fetched for a whole page at once (one query per table, never per system). */
export async function systemDetails(db: ReadDb, tenant: string, systemIds: readonly string[]) {
  const ids = systemIds.length > 0 ? [...systemIds] : [''];
  const [versions, validations, approvals, live, incidents, decisions, plans, signals, audits] =
    await Promise.all([
      db
        .selectFrom('reg_versions')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('registered_at')
        .execute(),
      db
        .selectFrom('reg_validations')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('validated_at')
        .execute(),
      db
        .selectFrom('reg_approvals')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('approved_at')
        .execute(),
      db
        .selectFrom('reg_live_versions')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('from_at')
        .execute(),
      db
        .selectFrom('reg_incidents')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('aware_at')
        .execute(),
      db
        .selectFrom('reg_decisions')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('decided_at')
        .execute(),
      db
        .selectFrom('reg_monitoring_plans')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .execute(),
      db
        .selectFrom('reg_signals')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('observed_at')
        .execute(),
      db
        .selectFrom('reg_audits')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', ids)
        .orderBy('recorded_at')
        .execute(),
    ]);
  const group = <R extends { system_id: string }>(rows: R[]) => {
    const map = new Map<string, R[]>();
    for (const row of rows) map.set(row.system_id, [...(map.get(row.system_id) ?? []), row]);
    return (id: string) => map.get(id) ?? [];
  };
  return {
    versions: group(versions),
    validations: group(validations),
    approvals: group(approvals),
    live: group(live),
    incidents: group(incidents),
    decisions: group(decisions),
    plans: group(plans),
    signals: group(signals),
    audits: group(audits),
  };
}

export async function findSystem(db: ReadDb, tenant: string, systemId: string) {
  return db
    .selectFrom('reg_systems')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .executeTakeFirst();
}

/** The version serving patients at `at` (null while suspended or retired), with the event that made it so. */
export async function liveVersionAt(db: ReadDb, tenant: string, systemId: string, at: string) {
  return db
    .selectFrom('reg_live_versions')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('from_at', '<=', at)
    .orderBy('from_at', 'desc')
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findModelVersion(db: ReadDb, tenant: string, systemId: string, version: string) {
  const row = await db
    .selectFrom('reg_versions')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return undefined;
  const datasetIds = parseJson<string[]>(row.training_dataset_ids);
  const [datasets, approvals] = await Promise.all([
    db
      .selectFrom('reg_datasets')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('dataset_id', 'in', datasetIds)
      .execute(),
    db
      .selectFrom('reg_dataset_approvals')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('dataset_id', 'in', datasetIds)
      .orderBy('approved_at')
      .execute(),
  ]);
  return { row, datasetIds, datasets, datasetApprovals: approvals };
}
