import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/**
 * What each system is watched for (the current plan per metric), the services
 * registered to report on it, and every signal, marked when it breached.
 */
export interface MonitoringTables {
  reg_monitoring_plans: {
    tenant_id: string;
    system_id: string;
    metric: string;
    threshold: number;
    direction: string;
    cadence: string;
    /** The plan's computation as JSON, when the ledger computes the metric itself. */
    computation: string | null;
    planned_at: string;
    event_id: string;
  };
  reg_monitoring_sources: {
    tenant_id: string;
    system_id: string;
    service_id: string;
    registered_by: string;
    registered_at: string;
    event_id: string;
  };
  reg_signals: {
    event_id: string;
    tenant_id: string;
    system_id: string;
    position: string;
    kind: string;
    metric: string;
    value: number;
    subgroup: string | null;
    observed_at: string;
    version: string | null;
    breached: number;
    breach_event_id: string | null;
    /** 'manual' (MonitoringSignalRecorded) or 'computed' (MonitoringSignalComputed). */
    method: string;
    /** How many outputs a computed value covers; null for a manual one. */
    n: number | null;
    window_from: string | null;
    window_to: string | null;
  };
}

export const monitoringMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_monitoring_plans')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('threshold', 'double precision', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('cadence', 'text', (c) => c.notNull())
      .addColumn('planned_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_monitoring_plans_pk', ['tenant_id', 'system_id', 'metric'])
      .execute();
    await db.schema
      .createTable('reg_signals')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('position', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('subgroup', 'text')
      .addColumn('observed_at', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('breached', 'integer', (c) => c.notNull())
      .addColumn('breach_event_id', 'text')
      .execute();
    await db.schema
      .createIndex('reg_signals_metric')
      .on('reg_signals')
      .columns(['tenant_id', 'system_id', 'metric', 'observed_at'])
      .execute();
  },
  // Monitoring sources came after the registry's first tables; a database that recorded 0001 gains them here.
  async '0002_monitoring_sources'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_monitoring_sources')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('registered_by', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_monitoring_sources_pk', ['tenant_id', 'system_id', 'service_id'])
      .execute();
  },
  // Signals the ledger computes itself (issue 16): a plan's computation, and each signal's method, n and window.
  async '0003_computed_signals'(db: Kysely<unknown>) {
    await db.schema.alterTable('reg_monitoring_plans').addColumn('computation', 'text').execute();
    await db.schema
      .alterTable('reg_signals')
      .addColumn('method', 'text', (c) => c.notNull().defaultTo('manual'))
      .execute();
    await db.schema.alterTable('reg_signals').addColumn('n', 'integer').execute();
    await db.schema.alterTable('reg_signals').addColumn('window_from', 'text').execute();
    await db.schema.alterTable('reg_signals').addColumn('window_to', 'text').execute();
  },
};
