// Types only: the content-checking threads load this module, and of the event store only its rows' reader.
import type { StoredEvent, UnparsedEvent } from '@ledger/event-store';
import {
  commitmentAt,
  commitmentsInCanonicalText,
  commitmentsUnder,
  eventHash,
  HASH_SCHEME_COMMITMENTS,
  openingMismatch,
  storedCanonicalHash,
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
  return contentHash(event).hash;
}

/** What verify checks of one event read as stored text: its recomputed hash, and what is wrong with the values kept beside it. */
export function checkedText(event: UnparsedEvent): ContentVerdict {
  const { hash, asStored } = contentHash(event);
  return { hash, findings: valuesFindings(event, asStored) };
}

export interface ContentVerdict {
  hash: string;
  findings: ValuesFinding[];
}

/** The recomputed hash, and whether the stored text hashed to the stored hash as it is: then it is the canonical text append wrote. */
function contentHash(event: VerifiedEvent): { hash: string; asStored: boolean } {
  try {
    if (!('dataJson' in event)) return { hash: eventHash(event), asStored: false };
    const asStored = storedCanonicalHash(event, event.dataJson, event.metadataJson);
    if (asStored === event.integrity.hash) return { hash: asStored, asStored: true };
    const hash = eventHash({
      ...event,
      data: JSON.parse(event.dataJson),
      metadata: JSON.parse(event.metadataJson),
    });
    return { hash, asStored: false };
  } catch (error) {
    return { hash: `unhashable: ${error instanceof Error ? error.message : String(error)}`, asStored: false };
  }
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
 * not parse has already failed its hash. `canonicalText`: the event's
 * stored text is the canonical text its hash covers (see contentHash), so
 * its commitments can be counted in the text rather than found by a walk.
 */
export function valuesFindings(event: StoredEvent | UnparsedEvent, canonicalText = false): ValuesFinding[] {
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
  const mismatches: string[] = [];
  let accounted = 0;
  for (const [pointer, entry] of Object.entries(values as ErasableValues)) {
    const commitment = commitmentAt(sealed, pointer);
    // A pointer spelled with escapes resolves, but does not account for the commitment it reaches (see below).
    if (commitment !== undefined && !pointer.includes('~')) accounted++;
    const why =
      entry === null || typeof entry !== 'object'
        ? `the entry for ${pointer} is not a value`
        : openingMismatch(commitment, pointer, entry);
    if (why !== undefined) mismatches.push(why);
  }
  if (mismatches.length > 0)
    findings.push({
      kind: 'value-mismatch',
      message: `${what}: ${mismatches.join('; ')}: a value or salt kept beside it was forged or altered`,
    });
  // Each entry that reached a commitment reached a different one, and the text can hold no more than it counts: so equal, they are all.
  const complete =
    canonicalText &&
    'dataJson' in event &&
    accounted === commitmentsInCanonicalText(event.dataJson) + commitmentsInCanonicalText(event.metadataJson);
  if (complete) return findings;
  const unaccounted = [...commitmentsUnder(sealed).keys()].filter((p) => !Object.hasOwn(values as object, p));
  if (unaccounted.length > 0)
    findings.push({
      kind: 'values-missing',
      message: `${what}: no value is kept for ${unaccounted.join(', ')}, not even as erased: its entry was deleted outside any erasure`,
    });
  return findings;
}
