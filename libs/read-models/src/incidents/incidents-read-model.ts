import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { incidentsMigrations, type IncidentsTables } from './incidents-tables';

const canHandle = [
  'IncidentReported',
  'IncidentStatusUpdated',
  'IncidentNotificationRecorded',
  'IncidentClosed',
] as const;

type Db = Kysely<IncidentsTables>;

/** A row per incident: the report inserts it once, progress and closure set its status; a row per notification. */
export const incidentsReadModel: ReadModel<IncidentsTables, (typeof canHandle)[number]> = {
  tables: ['reg_incidents', 'reg_incident_notifications'],
  migrations: incidentsMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(db: Db, event: ProjectedEvent<(typeof canHandle)[number]>): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  switch (event.type) {
    case 'IncidentReported': {
      const d = event.data;
      await db
        .insertInto('reg_incidents')
        .values({
          tenant_id,
          system_id: d.systemId,
          incident_id: d.incidentId,
          classification: d.classification ?? null,
          severity: d.severity,
          description: d.description,
          patient_harmed: d.patientHarmed ? 1 : 0,
          aware_at: utc(d.awareAt),
          due_at: d.dueAt === undefined ? null : utc(d.dueAt),
          version: d.version ?? null,
          status: 'open',
          reported_by: d.reportedBy,
          reported_at: utc(event.metadata.occurredAt),
          closed_at: null,
          resolution: null,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'IncidentStatusUpdated': {
      const d = event.data;
      await incident(db, tenant_id, d.systemId, d.incidentId).set({ status: d.status }).execute();
      return;
    }
    case 'IncidentNotificationRecorded': {
      const d = event.data;
      await db
        .insertInto('reg_incident_notifications')
        .values({
          tenant_id,
          system_id: d.systemId,
          incident_id: d.incidentId,
          recipient: d.recipient,
          kind: d.kind,
          reference: d.reference,
          sent_at: utc(d.sentAt),
          sent_by: d.sentBy,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'IncidentClosed': {
      const d = event.data;
      await incident(db, tenant_id, d.systemId, d.incidentId)
        .set({ status: 'closed', closed_at: utc(event.metadata.occurredAt), resolution: d.resolution })
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}

function incident(db: Db, tenant: string, systemId: string, incidentId: string) {
  return db
    .updateTable('reg_incidents')
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('incident_id', '=', incidentId);
}
