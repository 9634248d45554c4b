import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** The inventory of AI systems: what each is, where it is used, its status and the version serving patients. */
export interface SystemsTables {
  reg_systems: {
    tenant_id: string;
    system_id: string;
    name: string;
    intended_use: string;
    clinical_domain: string;
    risk_class: string;
    supplier: string;
    vendor_name: string | null;
    sites: string;
    status: string;
    deployed_version: string | null;
    registered_at: string;
    registered_event_id: string;
    /** The position of the last event applied to the row: a replayed event is a no-op for updates. */
    last_position: string;
  };
  reg_system_sites: { tenant_id: string; system_id: string; site: string };
}

export const systemsMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_systems')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('intended_use', 'text', (c) => c.notNull())
      .addColumn('clinical_domain', 'text', (c) => c.notNull())
      .addColumn('risk_class', 'text', (c) => c.notNull())
      .addColumn('supplier', 'text', (c) => c.notNull())
      .addColumn('vendor_name', 'text')
      .addColumn('sites', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('deployed_version', 'text')
      .addColumn('registered_at', 'text', (c) => c.notNull())
      .addColumn('registered_event_id', 'text', (c) => c.notNull())
      .addColumn('last_position', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_systems_pk', ['tenant_id', 'system_id'])
      .execute();
    await db.schema
      .createIndex('reg_systems_status')
      .on('reg_systems')
      .columns(['tenant_id', 'status', 'system_id'])
      .execute();
    await db.schema
      .createIndex('reg_systems_risk')
      .on('reg_systems')
      .columns(['tenant_id', 'risk_class', 'system_id'])
      .execute();
    await db.schema
      .createTable('reg_system_sites')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('site', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_system_sites_pk', ['tenant_id', 'site', 'system_id'])
      .execute();
  },
};
