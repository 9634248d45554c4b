import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { json, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { auditsMigrations, type AuditsTables } from './audits-tables';

const canHandle = ['AuditRecorded', 'AuditFindingResolved', 'AuditFindingClosureVerified'] as const;

/** A row per audit and per finding, inserted once; a finding's row then records its resolution and verification. */
export const auditsReadModel: ReadModel<AuditsTables, (typeof canHandle)[number]> = {
  tables: ['reg_audits', 'reg_audit_findings'],
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
  const tenant_id = event.metadata.tenantId;
  switch (event.type) {
    case 'AuditRecorded': {
      const d = event.data;
      const recorded_at = utc(event.metadata.occurredAt);
      await db
        .insertInto('reg_audits')
        .values({
          tenant_id,
          system_id: d.systemId,
          audit_id: d.auditId,
          scope: d.scope,
          findings: json(d.findings),
          auditor: d.auditor,
          recorded_at,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      for (const f of d.findings)
        await db
          .insertInto('reg_audit_findings')
          .values({
            tenant_id,
            system_id: d.systemId,
            audit_id: d.auditId,
            finding_id: f.findingId,
            severity: f.severity,
            description: f.description,
            owner: f.owner,
            due_at: f.dueAt === undefined ? null : utc(f.dueAt),
            auditor: d.auditor,
            recorded_at,
            event_id: event.eventId,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
      return;
    }
    case 'AuditFindingResolved': {
      const d = event.data;
      await finding(db, tenant_id, d)
        .set({
          resolution: d.resolution,
          resolved_by: d.resolvedBy,
          resolved_at: utc(d.resolvedAt),
          resolved_event_id: event.eventId,
        })
        .execute();
      return;
    }
    case 'AuditFindingClosureVerified': {
      const d = event.data;
      await finding(db, tenant_id, d)
        .set({
          verification_note: d.note,
          verified_by: d.verifiedBy,
          verified_at: utc(d.verifiedAt),
          verified_event_id: event.eventId,
        })
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}

const finding = (
  db: Kysely<AuditsTables>,
  tenant: string,
  { systemId, auditId, findingId }: { systemId: string; auditId: string; findingId: string },
) =>
  db
    .updateTable('reg_audit_findings')
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('audit_id', '=', auditId)
    .where('finding_id', '=', findingId);
