import type { StoredEvent } from '@ledger/event-store';
import { insertRows, type ProjectionDefinition, utc } from '../projection/projection';
import { timelineMigrations, type TimelineTables } from './timeline-tables';

/**
 * An index over every stored event: which tenant, stream, system and type,
 * and when. A timeline page is found here and read whole from the event
 * store, so the envelope and integrity fields shown are the stored ones,
 * never a copy.
 *
 * It is not a read model of domain events: it indexes every event the store
 * holds, a type the domain does not know included (an emitter's mistake or a
 * forgery is exactly what an auditor must be able to find), so it reads only
 * the envelope and the `systemId` the data names, and upcasts nothing. A row
 * is keyed by its position, so a replay inserts nothing new.
 */
export const timelineProjection: ProjectionDefinition<TimelineTables> = {
  name: 'timeline',
  tables: ['tl_events'],
  migrations: timelineMigrations,
  async apply(db, events) {
    await insertRows(db, 'tl_events', events.map(timelineRow));
  },
};

function timelineRow(event: StoredEvent): TimelineTables['tl_events'] {
  const { systemId } = event.data as { systemId?: unknown };
  return {
    position: event.position.toString(),
    tenant_id: event.metadata.tenantId,
    stream: event.stream,
    system_id: typeof systemId === 'string' ? systemId : null,
    type: event.type,
    occurred_at: utc(event.metadata.occurredAt),
    recorded_at: utc(event.metadata.recordedAt),
    event_id: event.eventId,
  };
}
