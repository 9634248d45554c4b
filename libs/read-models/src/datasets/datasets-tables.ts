import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Datasets as registered, and the purposes each is approved for. */
export interface DatasetsTables {
  reg_datasets: {
    tenant_id: string;
    dataset_id: string;
    name: string;
    classification: string;
    legal_basis: string;
    steward: string;
    source: string;
    retention_period: string;
    registered_at: string;
    event_id: string;
  };
  reg_dataset_approvals: {
    tenant_id: string;
    dataset_id: string;
    purpose: string;
    approved_by: string;
    approved_at: string;
    event_id: string;
  };
}

export const datasetsMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_datasets')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('classification', 'text', (c) => c.notNull())
      .addColumn('legal_basis', 'text', (c) => c.notNull())
      .addColumn('steward', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('retention_period', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_datasets_pk', ['tenant_id', 'dataset_id'])
      .execute();
    await db.schema
      .createTable('reg_dataset_approvals')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('approved_by', 'text', (c) => c.notNull())
      .addColumn('approved_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_dataset_approvals_pk', ['tenant_id', 'dataset_id', 'purpose'])
      .execute();
  },
};
