import { canonicalJson } from '@ledger/integrity';
import { EventStoreError } from './errors';
import type { AppendResult, NewEvent, StoredEvent } from './types';

/**
 * What makes two appends of one eventId "the same event": what the emitter
 * states, not the ledger's recordedAt, nor the correlationId, which names the
 * request that carried the event (a retry travels in a new request, often with
 * a new X-Correlation-Id) rather than the event itself. Every store applies
 * this one rule; the conformance suite holds them to it.
 */
function emitterContent(
  stream: string,
  e: Pick<StoredEvent, 'type' | 'schemaVersion' | 'data'> & { metadata: object },
): string {
  const { recordedAt, correlationId, ...metadata } = e.metadata as {
    recordedAt?: string;
    correlationId?: string;
  };
  return canonicalJson({ stream, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata });
}

/**
 * A resend (the emitter never saw our acknowledgement) is answered with the
 * original revisions and positions. Anything else that reuses an id is
 * refused: an eventId names exactly one event, forever.
 */
export function acknowledgeDuplicates(
  stream: string,
  events: NewEvent[],
  stored: StoredEvent[],
): AppendResult {
  const byId = new Map(stored.map((s) => [s.eventId, s]));
  for (const event of events) {
    const prior = byId.get(event.eventId);
    if (prior && emitterContent(prior.stream, prior) !== emitterContent(stream, event))
      throw new EventStoreError(
        'EVENT_ID_REUSED',
        // Where the prior event lives is not said: it may be another caller's.
        `eventId ${event.eventId} is already stored with different content; use a new eventId for a new event`,
        { eventId: event.eventId },
      );
  }
  if (byId.size !== events.length) {
    const first = events.find((e) => byId.has(e.eventId))!;
    throw new EventStoreError(
      'EVENT_ID_REUSED',
      `eventId ${first.eventId} was stored by an earlier append that did not contain this batch's other events; an append is stored whole or not at all, so resend it exactly or use new eventIds`,
      { eventId: first.eventId },
    );
  }
  const ordered = events.map((e) => byId.get(e.eventId)!);
  return {
    duplicate: true,
    events: ordered.map((s) => ({
      eventId: s.eventId,
      revision: s.revision,
      position: s.position,
      hash: s.integrity.hash,
    })),
    nextExpectedRevision: Math.max(...ordered.map((s) => s.revision)),
  };
}
