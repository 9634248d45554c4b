import type { Kysely } from 'kysely';
import { type ProjectionDefinition, utc } from '../projection';

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

/**
 * An index over every event: which tenant, stream, system and type, and when.
 * A timeline page is found here and read whole from the event store, so the
 * envelope and integrity fields shown are the stored ones, never a copy.
 */
export const timelineProjection: ProjectionDefinition<TimelineTables> = {
  name: 'timeline',
  tables: ['tl_events'],
  migrations: {
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
  },
  async apply(db, events) {
    const rows = events.map((e) => ({
      position: e.position.toString(),
      tenant_id: e.metadata.tenantId,
      stream: e.stream,
      system_id:
        typeof (e.data as { systemId?: unknown }).systemId === 'string'
          ? (e.data as { systemId: string }).systemId
          : null,
      type: e.type,
      occurred_at: utc(e.metadata.occurredAt),
      recorded_at: utc(e.metadata.recordedAt),
      event_id: e.eventId,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('tl_events')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.doNothing())
        .execute();
  },
};
