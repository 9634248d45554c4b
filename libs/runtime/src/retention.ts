import {
  recordedLegalHolds,
  streamNames,
  tenantStream,
  upcast,
  type LegalHoldEvent,
  type RecordedLegalHold,
  type RetentionEvent,
} from '@ledger/domain';
import type { EventStore, StoredEvent } from '@ledger/event-store';

/** A tenant's legal holds as recorded, read whole from its legal-holds stream: the service and `govledger retention` read them alike. */
export async function legalHoldsOf(store: EventStore, tenantId: string): Promise<RecordedLegalHold[]> {
  const history: Array<LegalHoldEvent & { eventId: string; recordedAt: string }> = [];
  for await (const stored of store.readStream(tenantStream(tenantId, streamNames.legalHolds())))
    history.push({
      ...(upcast(stored) as LegalHoldEvent),
      eventId: stored.eventId,
      recordedAt: stored.metadata.recordedAt,
    });
  return recordedLegalHolds(history);
}

/** What the retention report reads of a stored event; its system is the one its data names, as the timeline indexes it. */
export function retentionEventOf(event: StoredEvent): RetentionEvent {
  const { systemId } = (event.data ?? {}) as { systemId?: unknown };
  return {
    type: event.type,
    stream: event.stream,
    systemId: typeof systemId === 'string' ? systemId : null,
    recordedAt: event.metadata.recordedAt,
    position: event.position,
  };
}
