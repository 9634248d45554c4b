import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** How each system's data may be used, and which services report its use. */
export interface AccessPoliciesTables {
  reg_access_policies: {
    tenant_id: string;
    system_id: string;
    document_ref: string;
    permitted_roles: string;
    permitted_purposes: string;
    recorded_at: string;
    event_id: string;
  };
  reg_audit_sources: {
    tenant_id: string;
    system_id: string;
    source_service: string;
    registered_at: string;
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
};
