import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { json, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { accessPoliciesMigrations, type AccessPoliciesTables } from './access-policies-tables';

const canHandle = ['AccessPolicyRecorded', 'AuditSourceRegistered'] as const;

/** Every policy and audit source as recorded, one row per event; a later policy supersedes by its time. */
export const accessPoliciesReadModel: ReadModel<AccessPoliciesTables, (typeof canHandle)[number]> = {
  tables: ['reg_access_policies', 'reg_audit_sources'],
  migrations: accessPoliciesMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(
  db: Kysely<AccessPoliciesTables>,
  event: ProjectedEvent<(typeof canHandle)[number]>,
): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  const at = utc(event.metadata.occurredAt);
  switch (event.type) {
    case 'AccessPolicyRecorded': {
      const d = event.data;
      await db
        .insertInto('reg_access_policies')
        .values({
          tenant_id,
          system_id: d.systemId,
          document_ref: d.documentRef,
          permitted_roles: json(d.permittedRoles),
          permitted_purposes: json(d.permittedPurposes),
          recorded_at: at,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'AuditSourceRegistered': {
      const d = event.data;
      await db
        .insertInto('reg_audit_sources')
        .values({
          tenant_id,
          system_id: d.systemId,
          source_service: d.sourceService,
          registered_at: at,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}
