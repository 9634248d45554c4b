import { hashedEnvelopeOf, type StoredEvent, type UnparsedEvent } from '@ledger/event-store';
import {
  commitmentAt,
  eventHash,
  HASH_SCHEME_COMMITMENTS,
  pointerToken,
  storedCanonicalHash,
  valueMismatch,
  type ErasableValues,
  type HashedEnvelope,
} from '@ledger/integrity';

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

/** An event as read, reduced to what its hash covers: a parsed scheme-2 event is read opened, so it is sealed again. */
export function verifiedEvent(event: StoredEvent | UnparsedEvent): VerifiedEvent {
  return 'dataJson' in event ? event : { ...hashedEnvelopeOf(event), integrity: event.integrity };
}

/** What can be wrong with the values kept beside a scheme-2 event, named as verify reports it. */
export interface ValuesFinding {
  kind: 'value-mismatch' | 'values-missing';
  message: string;
}

/**
 * Whether the values kept beside a scheme-2 event still belong to it: each
 * one kept must open the commitment at its place (an erased one, its kind
 * alone, opens nothing and is fine), and every commitment must have its
 * entry, kept or erased. Only scheme-2 events are parsed for this, so
 * verify's fast path over scheme-1 text stays as it was. Content that does
 * not parse has already failed its hash.
 */
export function valuesFindings(event: StoredEvent | UnparsedEvent): ValuesFinding[] {
  if (event.integrity.hashScheme !== HASH_SCHEME_COMMITMENTS) return [];
  const what = `event ${event.eventId} (stream ${event.stream}, revision ${event.revision})`;
  let sealed: { data: unknown; metadata: unknown };
  let values: unknown;
  if ('dataJson' in event) {
    if (event.valuesJson == null)
      return [
        {
          kind: 'values-missing',
          message: `${what} is hashed under scheme 2 but its row of values (event_values) is gone: its erasable values were deleted outside any erasure, which keeps the row`,
        },
      ];
    try {
      sealed = { data: JSON.parse(event.dataJson), metadata: JSON.parse(event.metadataJson) };
    } catch {
      return [];
    }
    try {
      values = JSON.parse(event.valuesJson);
    } catch {
      values = undefined;
    }
  } else {
    if (!event.sealed) return [];
    sealed = event.sealed;
    values = event.sealed.values;
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    return [
      {
        kind: 'value-mismatch',
        message: `${what}: its row of values (event_values) is not a JSON object of values: it was altered`,
      },
    ];
  const findings: ValuesFinding[] = [];
  const mismatches = Object.entries(values as ErasableValues)
    .map(([pointer, entry]) =>
      entry === null || typeof entry !== 'object'
        ? `the entry for ${pointer} is not a value`
        : valueMismatch(sealed, pointer, entry),
    )
    .filter((why) => why !== undefined);
  if (mismatches.length > 0)
    findings.push({
      kind: 'value-mismatch',
      message: `${what}: ${mismatches.join('; ')}: a value or salt kept beside it was forged or altered`,
    });
  const unaccounted = commitmentPointers(sealed).filter((p) => !Object.hasOwn(values as object, p));
  if (unaccounted.length > 0)
    findings.push({
      kind: 'values-missing',
      message: `${what}: no value is kept for ${unaccounted.join(', ')}, not even as erased: its entry was deleted outside any erasure`,
    });
  return findings;
}

/** Every place in a sealed envelope that holds a commitment. */
function commitmentPointers(sealed: { data: unknown; metadata: unknown }): string[] {
  const found: string[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (pointer && commitmentAt(sealed, pointer) !== undefined) {
      found.push(pointer);
      return;
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${pointerToken(key)}`);
  };
  walk(sealed, '');
  return found;
}
