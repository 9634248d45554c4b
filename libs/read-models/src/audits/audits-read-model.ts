import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { json, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { auditsMigrations, type AuditsTables } from './audits-tables';

const canHandle = ['AuditRecorded'] as const;

/** A row per audit, inserted once. */
export const auditsReadModel: ReadModel<AuditsTables, (typeof canHandle)[number]> = {
  tables: ['reg_audits'],
  migrations: auditsMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(
  db: Kysely<AuditsTables>,
  event: ProjectedEvent<(typeof canHandle)[number]>,
): Promise<void> {
  switch (event.type) {
    case 'AuditRecorded': {
      const d = event.data;
      await db
        .insertInto('reg_audits')
        .values({
          tenant_id: event.metadata.tenantId,
          system_id: d.systemId,
          audit_id: d.auditId,
          scope: d.scope,
          findings: json(d.findings),
          auditor: d.auditor,
          recorded_at: utc(event.metadata.occurredAt),
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    default:
      return assertNever(event.type);
  }
}
