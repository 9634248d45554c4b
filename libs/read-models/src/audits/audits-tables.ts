import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Audits of each system, with their findings, and each finding's way to closure. */
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
  /** One row per finding: open until someone other than its owner verifies the owner's resolution. */
  reg_audit_findings: {
    tenant_id: string;
    system_id: string;
    audit_id: string;
    finding_id: string;
    severity: string;
    description: string;
    owner: string;
    /** Null only on findings recorded before findings had due dates (AuditRecorded v1). */
    due_at: string | null;
    auditor: string;
    recorded_at: string;
    event_id: string;
    resolution: string | null;
    resolved_by: string | null;
    resolved_at: string | null;
    resolved_event_id: string | null;
    verification_note: string | null;
    verified_by: string | null;
    verified_at: string | null;
    verified_event_id: string | null;
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
  // Findings gained owners, due dates and closure; a database that recorded 0001 gains their table here
  // (`govledger rebuild-projections registry` fills it from findings already stored).
  async '0003_regulatory_clocks'(db: Kysely<unknown>) {
    let table: CreateTableBuilder<string, string> = db.schema.createTable('reg_audit_findings');
    for (const column of [
      'tenant_id',
      'system_id',
      'audit_id',
      'finding_id',
      'severity',
      'description',
      'owner',
      'auditor',
      'recorded_at',
      'event_id',
    ])
      table = table.addColumn(column, 'text', (c) => c.notNull());
    for (const column of [
      'due_at',
      'resolution',
      'resolved_by',
      'resolved_at',
      'resolved_event_id',
      'verification_note',
      'verified_by',
      'verified_at',
      'verified_event_id',
    ])
      table = table.addColumn(column, 'text');
    await table
      .addPrimaryKeyConstraint('reg_audit_findings_pk', ['tenant_id', 'system_id', 'audit_id', 'finding_id'])
      .execute();
  },
};
