import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { json, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { accessPoliciesMigrations, type AccessPoliciesTables } from './access-policies-tables';

const canHandle = [
  'AccessPolicyRecorded',
  'AuditSourceRegistered',
  'DatasetAccessPolicyRecorded',
  'AccessLogReviewed',
  'DatasetAccessLogReviewed',
] as const;

/**
 * Every policy, audit source and access-log review as recorded, one row per
 * event; a later policy supersedes by its time.
 */
export const accessPoliciesReadModel: ReadModel<AccessPoliciesTables, (typeof canHandle)[number]> = {
  tables: ['reg_access_policies', 'reg_audit_sources', 'reg_dataset_access_policies', 'reg_access_reviews'],
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
  const event_id = event.eventId;
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
          event_id,
          review_every_days: d.reviewEveryDays ?? null,
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
          event_id,
          expected_interval: d.expectedInterval ?? null,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'DatasetAccessPolicyRecorded': {
      const d = event.data;
      await db
        .insertInto('reg_dataset_access_policies')
        .values({
          tenant_id,
          dataset_id: d.datasetId,
          document_ref: d.documentRef,
          review_every_days: d.reviewEveryDays,
          recorded_by: d.recordedBy,
          recorded_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'AccessLogReviewed':
    case 'DatasetAccessLogReviewed': {
      const d = event.data;
      const [scope_kind, scope_id] =
        'systemId' in d ? (['system', d.systemId] as const) : (['dataset', d.datasetId] as const);
      await db
        .insertInto('reg_access_reviews')
        .values({
          tenant_id,
          scope_kind,
          scope_id,
          period_from: utc(d.periodFrom),
          period_to: utc(d.periodTo),
          outcome: d.outcome,
          note: d.note,
          reviewer: d.reviewer,
          reviewed_at: utc(d.reviewedAt),
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}
