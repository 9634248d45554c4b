import type { Kysely } from 'kysely';
import type { DeferredIndex, Migrations } from '../projection/projection';

/** Every data access with the judgement of its cover, and the dataset grants it is judged against. */
export interface DataAccessTables {
  da_access: {
    position: string;
    tenant_id: string;
    event_id: string;
    actor: string;
    dataset_id: string | null;
    resource: string | null;
    patient_pseudonym: string | null;
    action: string;
    purpose: string;
    outcome: string;
    source_service: string;
    system_id: string | null;
    occurred_at: string;
    /** Why the access had no cover, judged at the moment it happened: no_active_grant, purpose_not_granted, or null. */
    violation: string | null;
    /** 1 when the access was recorded from a FHIR AuditEvent kept as sent: AuditEvent search matches its da_sent_tokens. */
    sent_fhir: number | null;
  };
  /** The search values of each AuditEvent kept as sent (sentSearchTokens), one row each; other accesses have none. */
  da_sent_tokens: {
    tenant_id: string;
    token: string;
    position: string;
  };
  da_grants: {
    tenant_id: string;
    dataset_id: string;
    grant_id: string;
    principal: string;
    purpose: string;
    granted_at: string;
    expires_at: string;
    revoked_at: string | null;
    event_id: string;
    revoked_event_id: string | null;
  };
}

/**
 * The `patientPseudonym` filter's index. Pseudonyms are random, so each
 * batch of accesses lands on about as many of its pages as it has rows: kept
 * up while catching up on 1M events it was most of the WAL written (issue 20).
 */
export const patientPseudonymIndex: DeferredIndex = {
  name: 'da_access_patient_pseudonym',
  table: 'da_access',
  columns: ['tenant_id', 'patient_pseudonym', 'position'],
};

export const dataAccessMigrations: Migrations = {
  async '0001_data_access'(db: Kysely<unknown>) {
    await db.schema
      .createTable('da_access')
      .addColumn('position', 'bigint', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text')
      .addColumn('resource', 'text')
      .addColumn('patient_pseudonym', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('source_service', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text')
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .addColumn('violation', 'text')
      .execute();
    // One index per filter, each ending in position so a page is an index range scan in cursor order.
    for (const column of [
      'dataset_id',
      'actor',
      'patient_pseudonym',
      'purpose',
      'outcome',
      'system_id',
      'violation',
      'occurred_at',
    ])
      await db.schema
        .createIndex(`da_access_${column}`)
        .on('da_access')
        .columns(['tenant_id', column, 'position'])
        .execute();
    await db.schema
      .createIndex('da_access_tenant')
      .on('da_access')
      .columns(['tenant_id', 'position'])
      .execute();
    await db.schema
      .createTable('da_grants')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('principal', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('revoked_event_id', 'text')
      .addPrimaryKeyConstraint('da_grants_pk', ['tenant_id', 'dataset_id', 'grant_id'])
      .execute();
    await db.schema
      .createIndex('da_grants_principal')
      .on('da_grants')
      .columns(['tenant_id', 'dataset_id', 'principal'])
      .execute();
  },
  // AUDIT_SOURCE_SILENT asks, per registered source, when it last reported for a system: one index seek each.
  async '0002_source_last_seen'(db: Kysely<unknown>) {
    await db.schema
      .createIndex('da_access_source_seen')
      .on('da_access')
      .columns(['tenant_id', 'system_id', 'source_service', 'occurred_at'])
      .execute();
  },
  // No query's plan used it (violationsOnly pages walk da_access_tenant, the compliance groups and their evidence
  // da_access_occurred_at), and every access paid for it: one b-tree insert of ten (issue 20). IF EXISTS: tables
  // swapped in by a rebuild keep their generation's index names (da_access_violation__rb<n>), which stay behind.
  async '0003_drop_violation_index'(db: Kysely<unknown>) {
    await db.schema.dropIndex('da_access_violation').ifExists().execute();
  },
  // AuditEvent search (issue 19) finds an AuditEvent kept as sent by what it says. Accesses recorded any other way
  // write no token and a null flag, so catch-up over them pays for no index; nothing before it needs a rebuild.
  async '0004_sent_search_tokens'(db: Kysely<unknown>) {
    await db.schema.alterTable('da_access').addColumn('sent_fhir', 'integer').execute();
    await db.schema
      .createTable('da_sent_tokens')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('da_sent_tokens_pk', ['tenant_id', 'token', 'position'])
      .execute();
  },
};
