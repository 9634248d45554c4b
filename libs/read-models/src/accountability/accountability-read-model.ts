import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { accountabilityMigrations, type AccountabilityTables } from './accountability-tables';

const canHandle = ['AccountabilityAssigned', 'AccountabilityAccepted', 'AccountabilityRevoked'] as const;

type Db = Kysely<AccountabilityTables>;

/**
 * One row per assignment, completed by its acceptance and its revocation. The
 * assignment inserts once; acceptance and revocation set their own columns to
 * the same values however often they are applied.
 */
export const accountabilityReadModel: ReadModel<AccountabilityTables, (typeof canHandle)[number]> = {
  tables: ['reg_assignments'],
  migrations: accountabilityMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(db: Db, event: ProjectedEvent<(typeof canHandle)[number]>): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  switch (event.type) {
    case 'AccountabilityAssigned': {
      const d = event.data;
      await db
        .insertInto('reg_assignments')
        .values({
          tenant_id,
          system_id: d.systemId,
          assignment_id: d.assignmentId,
          role: d.role,
          assignee: d.assignee,
          effective_from: utc(d.effectiveFrom),
          assigned_by: d.assignedBy,
          assigned_event_id: event.eventId,
          accepted_at: null,
          accepted_event_id: null,
          effective_to: null,
          revoked_by: null,
          revoke_reason: null,
          revoked_event_id: null,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'AccountabilityAccepted': {
      const d = event.data;
      await assignment(db, tenant_id, d.systemId, d.assignmentId)
        .set({ accepted_at: utc(d.acceptedAt), accepted_event_id: event.eventId })
        .execute();
      return;
    }
    case 'AccountabilityRevoked': {
      const d = event.data;
      await assignment(db, tenant_id, d.systemId, d.assignmentId)
        .set({
          effective_to: utc(d.effectiveTo),
          revoked_by: d.revokedBy,
          revoke_reason: d.reason,
          revoked_event_id: event.eventId,
        })
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}

function assignment(db: Db, tenant: string, systemId: string, assignmentId: string) {
  return db
    .updateTable('reg_assignments')
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('assignment_id', '=', assignmentId);
}
