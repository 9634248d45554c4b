import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Incidents as reported, with their progress, notifications and closure. */
export interface IncidentsTables {
  reg_incidents: {
    tenant_id: string;
    system_id: string;
    incident_id: string;
    /** Null for incidents reported before classes were recorded. */
    classification: string | null;
    severity: string;
    description: string;
    patient_harmed: number;
    aware_at: string;
    /** The authority's notification deadline; null when not serious or unclassified. */
    due_at: string | null;
    version: string | null;
    status: string;
    reported_by: string;
    reported_at: string;
    closed_at: string | null;
    resolution: string | null;
    event_id: string;
  };
  /** Each notification sent about an incident, one row per event. */
  reg_incident_notifications: {
    tenant_id: string;
    system_id: string;
    incident_id: string;
    recipient: string;
    kind: string;
    reference: string;
    sent_at: string;
    sent_by: string;
    event_id: string;
  };
}

export const incidentsMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_incidents')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('patient_harmed', 'integer', (c) => c.notNull())
      .addColumn('aware_at', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reported_by', 'text', (c) => c.notNull())
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'text')
      .addColumn('resolution', 'text')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_incidents_pk', ['tenant_id', 'system_id', 'incident_id'])
      .execute();
  },
  async '0003_incident_notifications'(db: Kysely<unknown>) {
    // Existing rows came from v1 reports, which had no class and so no deadline: null is what they are.
    await db.schema.alterTable('reg_incidents').addColumn('classification', 'text').execute();
    await db.schema.alterTable('reg_incidents').addColumn('due_at', 'text').execute();
    await db.schema
      .createTable('reg_incident_notifications')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('reference', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text', (c) => c.notNull())
      .addColumn('sent_by', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_incident_notifications_pk', ['tenant_id', 'event_id'])
      .execute();
    await db.schema
      .createIndex('reg_incident_notifications_incident')
      .on('reg_incident_notifications')
      .columns(['tenant_id', 'system_id', 'incident_id'])
      .execute();
  },
};
