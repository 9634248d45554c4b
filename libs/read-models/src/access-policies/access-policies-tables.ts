import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** How each system's and dataset's data may be used, which services report its use, and who reviewed their logs. */
export interface AccessPoliciesTables {
  reg_access_policies: {
    tenant_id: string;
    system_id: string;
    document_ref: string;
    permitted_roles: string;
    permitted_purposes: string;
    recorded_at: string;
    event_id: string;
    /** How often the system's access logs must be reviewed; null when the policy asks for no review. */
    review_every_days: number | null;
  };
  reg_audit_sources: {
    tenant_id: string;
    system_id: string;
    source_service: string;
    registered_at: string;
    event_id: string;
    /** ISO 8601 duration; null on sources registered before intervals (AuditSourceRegistered v1). */
    expected_interval: string | null;
  };
  reg_dataset_access_policies: {
    tenant_id: string;
    dataset_id: string;
    document_ref: string;
    review_every_days: number;
    recorded_by: string;
    recorded_at: string;
    event_id: string;
  };
  /** Reviews of access logs (HIPAA §164.308(a)(1)(ii)(D)), of a system or of a dataset. */
  reg_access_reviews: {
    tenant_id: string;
    scope_kind: 'system' | 'dataset';
    scope_id: string;
    period_from: string;
    period_to: string;
    outcome: string;
    note: string;
    reviewer: string;
    reviewed_at: string;
    event_id: string;
  };
}

export const accessPoliciesMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    for (const [table, columns] of [
      ['reg_access_policies', ['document_ref', 'permitted_roles', 'permitted_purposes', 'recorded_at']],
      ['reg_audit_sources', ['source_service', 'registered_at']],
    ] as const) {
      let create = db.schema
        .createTable(table)
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('system_id', 'text', (c) => c.notNull());
      for (const column of columns) create = create.addColumn(column, 'text', (c) => c.notNull());
      await create.addColumn('event_id', 'text', (c) => c.primaryKey()).execute();
      await db.schema.createIndex(`${table}_system`).on(table).columns(['tenant_id', 'system_id']).execute();
    }
  },
  // Review cadences, expected intervals and the reviews themselves came with the regulatory clocks.
  async '0003_regulatory_clocks'(db: Kysely<unknown>) {
    await db.schema.alterTable('reg_access_policies').addColumn('review_every_days', 'integer').execute();
    await db.schema.alterTable('reg_audit_sources').addColumn('expected_interval', 'text').execute();
    await db.schema
      .createTable('reg_dataset_access_policies')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('document_ref', 'text', (c) => c.notNull())
      .addColumn('review_every_days', 'integer', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .execute();
    let reviews = db.schema.createTable('reg_access_reviews');
    for (const column of [
      'tenant_id',
      'scope_kind',
      'scope_id',
      'period_from',
      'period_to',
      'outcome',
      'note',
      'reviewer',
      'reviewed_at',
    ])
      reviews = reviews.addColumn(column, 'text', (c) => c.notNull());
    await reviews.addColumn('event_id', 'text', (c) => c.primaryKey()).execute();
    await db.schema
      .createIndex('reg_access_reviews_scope')
      .on('reg_access_reviews')
      .columns(['tenant_id', 'scope_kind', 'scope_id', 'period_to'])
      .execute();
  },
};
