import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Audits of each system, with their findings. */
export interface AuditsTables {
  reg_audits: {
    tenant_id: string;
    system_id: string;
    audit_id: string;
    scope: string;
    findings: string;
    auditor: string;
    recorded_at: string;
    event_id: string;
  };
}

export const auditsMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_audits')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('audit_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('findings', 'text', (c) => c.notNull())
      .addColumn('auditor', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_audits_pk', ['tenant_id', 'system_id', 'audit_id'])
      .execute();
  },
};
