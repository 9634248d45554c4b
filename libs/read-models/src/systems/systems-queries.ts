import type { Kysely, Selectable } from 'kysely';
import { inForceAt } from '../accountability/accountability-queries';
import type { AccountabilityTables } from '../accountability/accountability-tables';
import type { AuditsTables } from '../audits/audits-tables';
import type { IncidentsTables } from '../incidents/incidents-tables';
import type { LiveVersionsTables } from '../live-versions/live-versions-tables';
import type { ModelVersionsTables } from '../model-versions/model-versions-tables';
import type { MonitoringTables } from '../monitoring/monitoring-tables';
import { decodeCursor, encodeCursor, type Page, type PageResult } from '../pages';
import type { TakedownsTables } from '../takedowns/takedowns-tables';
import type { SystemsTables } from './systems-tables';

export interface SystemFilter {
  status?: string;
  riskClass?: string;
  site?: string;
  /** Systems where this person holds a role now. */
  roleHolder?: string;
  /** Only these systems (a regulator sees the systems granted to it). */
  systemIds?: readonly string[];
}

export type SystemRow = Selectable<SystemsTables['reg_systems']>;

export async function findSystems(
  db: Kysely<SystemsTables & AccountabilityTables>,
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

/** The children auditors see with a system, fetched for a whole page at once (one query per table, never per system). */
export async function systemDetails(
  db: Kysely<
    ModelVersionsTables &
      LiveVersionsTables &
      IncidentsTables &
      TakedownsTables &
      MonitoringTables &
      AuditsTables
  >,
  tenant: string,
  systemIds: readonly string[],
) {
  const ids = systemIds.length > 0 ? [...systemIds] : [''];
  const [
    versions,
    validations,
    approvals,
    live,
    incidents,
    notifications,
    decisions,
    plans,
    signals,
    audits,
  ] = await Promise.all([
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
      .selectFrom('reg_incident_notifications')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('system_id', 'in', ids)
      .orderBy('sent_at')
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
    notifications: group(notifications),
    decisions: group(decisions),
    plans: group(plans),
    signals: group(signals),
    audits: group(audits),
  };
}

export async function findSystem(db: Kysely<SystemsTables>, tenant: string, systemId: string) {
  return db
    .selectFrom('reg_systems')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .executeTakeFirst();
}
