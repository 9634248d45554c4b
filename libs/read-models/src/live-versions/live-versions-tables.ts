import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Which version served patients from when: deployments, rollbacks, suspensions, retirements and reinstatements. */
export interface LiveVersionsTables {
  reg_live_versions: {
    tenant_id: string;
    system_id: string;
    position: string;
    from_at: string;
    /** Null while no version serves patients (suspended or retired). */
    version: string | null;
    /** The event type that made it so, with the takedown's action: `TakedownDecided:rollback`. */
    cause: string;
    event_id: string;
  };
}

export const liveVersionsMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_live_versions')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('position', 'text', (c) => c.notNull())
      .addColumn('from_at', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('cause', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reg_live_versions_pk', ['tenant_id', 'system_id', 'event_id'])
      .execute();
    await db.schema
      .createIndex('reg_live_versions_at')
      .on('reg_live_versions')
      .columns(['tenant_id', 'system_id', 'from_at'])
      .execute();
  },
};
