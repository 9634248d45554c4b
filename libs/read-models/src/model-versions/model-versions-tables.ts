import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Each model version as registered, its validation results and its deployment approvals. */
export interface ModelVersionsTables {
  reg_versions: {
    tenant_id: string;
    system_id: string;
    version: string;
    artifact_sha256: string;
    training_dataset_ids: string;
    code_revision: string;
    parent_version: string | null;
    change_summary: string;
    within_change_control_plan: number;
    developer: string;
    registered_at: string;
    event_id: string;
  };
  reg_validations: {
    tenant_id: string;
    system_id: string;
    validation_id: string;
    version: string;
    dataset_id: string;
    metrics: string;
    subgroup_results: string;
    passed: number;
    validator: string;
    validated_at: string;
    event_id: string;
  };
  reg_validation_plans: {
    tenant_id: string;
    system_id: string;
    version: string;
    dataset_id: string;
    metrics: string;
    subgroups: string;
    planned_by: string;
    planned_at: string;
    event_id: string;
  };
  reg_approvals: {
    tenant_id: string;
    system_id: string;
    version: string;
    discipline: string;
    reviewer: string;
    approved_at: string;
    event_id: string;
  };
}

export const modelVersionsMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_versions')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('artifact_sha256', 'text', (c) => c.notNull())
      .addColumn('training_dataset_ids', 'text', (c) => c.notNull())
      .addColumn('code_revision', 'text', (c) => c.notNull())
      .addColumn('parent_version', 'text')
      .addColumn('change_summary', 'text', (c) => c.notNull())
      .addColumn('within_change_control_plan', 'integer', (c) => c.notNull())
      .addColumn('developer', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_versions_pk', ['tenant_id', 'system_id', 'version'])
      .execute();
    await db.schema
      .createTable('reg_validations')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('validation_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('metrics', 'text', (c) => c.notNull())
      .addColumn('subgroup_results', 'text', (c) => c.notNull())
      .addColumn('passed', 'integer', (c) => c.notNull())
      .addColumn('validator', 'text', (c) => c.notNull())
      .addColumn('validated_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_validations_pk', ['tenant_id', 'system_id', 'validation_id'])
      .execute();
    await db.schema
      .createIndex('reg_validations_version')
      .on('reg_validations')
      .columns(['tenant_id', 'system_id', 'version', 'validated_at'])
      .execute();
    await db.schema
      .createTable('reg_approvals')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('discipline', 'text', (c) => c.notNull())
      .addColumn('reviewer', 'text', (c) => c.notNull())
      .addColumn('approved_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_approvals_pk', ['tenant_id', 'system_id', 'version', 'discipline'])
      .execute();
  },
  // Validation plans came after the registry's first tables; a database that recorded 0001 gains them here.
  async '0002_validation_plans'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_validation_plans')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('dataset_id', 'text', (c) => c.notNull())
      .addColumn('metrics', 'text', (c) => c.notNull())
      .addColumn('subgroups', 'text', (c) => c.notNull())
      .addColumn('planned_by', 'text', (c) => c.notNull())
      .addColumn('planned_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_validation_plans_pk', ['tenant_id', 'system_id', 'version'])
      .execute();
  },
};
