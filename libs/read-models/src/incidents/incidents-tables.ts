import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Incidents as reported, with their progress and closure. */
export interface IncidentsTables {
  reg_incidents: {
    tenant_id: string;
    system_id: string;
    incident_id: string;
    severity: string;
    description: string;
    patient_harmed: number;
    aware_at: string;
    version: string | null;
    status: string;
    reported_by: string;
    reported_at: string;
    closed_at: string | null;
    resolution: string | null;
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
};
