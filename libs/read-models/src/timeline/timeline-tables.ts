import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Where each event is: tenant, stream, system, type and times, by position. */
export interface TimelineTables {
  tl_events: {
    position: string;
    tenant_id: string;
    stream: string;
    system_id: string | null;
    type: string;
    occurred_at: string;
    recorded_at: string;
    event_id: string;
  };
}

export const timelineMigrations: Migrations = {
  async '0001_timeline'(db: Kysely<unknown>) {
    await db.schema
      .createTable('tl_events')
      .addColumn('position', 'bigint', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('tl_events_stream')
      .on('tl_events')
      .columns(['tenant_id', 'stream', 'position'])
      .execute();
    await db.schema
      .createIndex('tl_events_system')
      .on('tl_events')
      .columns(['tenant_id', 'system_id', 'position'])
      .execute();
  },
};
