import type { UnparsedEvent } from '@ledger/event-store';
import { eventHash, storedCanonicalHash, type HashedEnvelope } from '@ledger/integrity';

/** What verify hashes: an event as read, its content parsed or still the store's JSON text. */
export type VerifiedEvent = (HashedEnvelope | Omit<UnparsedEvent, 'position'>) & {
  integrity: { prevHash: string; hash: string };
};

/**
 * The event's hash recomputed from its content, or `unhashable: <why>` for
 * content with no canonical form (which can only be damage). Text a store
 * kept as append canonicalised it is hashed as stored; text that does not
 * hash to the stored hash that way (written before the store kept canonical
 * text, or by a store that keeps its own spelling, PostgreSQL's jsonb) is
 * parsed and canonicalised, and only a mismatch then is damage.
 */
export function recomputedHash(event: VerifiedEvent): string {
  try {
    if (!('dataJson' in event)) return eventHash(event);
    const asStored = storedCanonicalHash(event, event.dataJson, event.metadataJson);
    if (asStored === event.integrity.hash) return asStored;
    return eventHash({
      ...event,
      data: JSON.parse(event.dataJson),
      metadata: JSON.parse(event.metadataJson),
    });
  } catch (error) {
    return `unhashable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
