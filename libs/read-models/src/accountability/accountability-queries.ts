import type { ExpressionBuilder, Kysely } from 'kysely';
import type { AccountabilityTables } from './accountability-tables';

/** Assignments in force at `at`: started, not yet ended. Acceptance is reported, not required, so a pending holder shows as pending. */
export const inForceAt = (at: string) => (eb: ExpressionBuilder<AccountabilityTables, 'reg_assignments'>) =>
  eb.and([
    eb('reg_assignments.effective_from', '<=', at),
    eb.or([eb('reg_assignments.effective_to', 'is', null), eb('reg_assignments.effective_to', '>', at)]),
  ]);

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
  db: Kysely<AccountabilityTables>,
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
