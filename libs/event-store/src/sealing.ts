import {
  HASH_SCHEME_COMMITMENTS,
  openValues,
  sealValues,
  type ErasableValues,
  type HashedEnvelope,
} from '@ledger/integrity';
import type { ErasableFieldsOf, EventMetadata, NewEvent, StoredEvent } from './types';

/** An event ready to chain: sealed under scheme 2 when it holds erasable values, as stated otherwise. */
export type SealedNewEvent = NewEvent & {
  metadata: EventMetadata;
  hashScheme?: typeof HASH_SCHEME_COMMITMENTS;
  /** The values taken out, as stored beside the event (JSON text); absent under scheme 1. */
  valuesJson?: string;
};

/**
 * Seals the erasable values the schemas name (see sealValues). Without a
 * schema callback, or with no erasable value present, the event stays
 * scheme 1: hashed as stated.
 */
export function sealForAppend(
  event: NewEvent & { metadata: EventMetadata },
  erasableFields: ErasableFieldsOf | undefined,
): SealedNewEvent {
  const fields = erasableFields?.(event) ?? [];
  if (fields.length === 0) return event;
  const { sealed, values } = sealValues(event, fields);
  if (Object.keys(values).length === 0) return event;
  // sealed is a copy of its own once a value is sealed: marked in place, not copied once more.
  const marks: Pick<SealedNewEvent, 'hashScheme' | 'valuesJson'> = {
    hashScheme: HASH_SCHEME_COMMITMENTS,
    valuesJson: JSON.stringify(values),
  };
  return Object.assign(sealed, marks);
}

/**
 * A stored event as readers see it. `event` holds the content as stored;
 * under scheme 2 that is the sealed content, and the values kept beside it
 * (valuesJson) open it, an erased value reading ERASED.
 */
export function openStored(
  event: StoredEvent,
  hashScheme: number,
  valuesJson: string | null | undefined,
): StoredEvent {
  if (hashScheme !== HASH_SCHEME_COMMITMENTS) return event;
  const values = JSON.parse(valuesJson ?? '{}') as ErasableValues;
  const opened = openValues(event, values);
  // openValues copied the envelope's root unless it left every place as it was: the copy is this call's own,
  // so it is completed in place rather than copied again (catch-up opens every event it reads).
  const own = opened === event ? { ...event } : opened;
  own.integrity = { ...event.integrity, hashScheme: HASH_SCHEME_COMMITMENTS };
  own.sealed = { data: event.data, metadata: event.metadata, values };
  return own;
}

/** The envelope an event's hash covers: for scheme 2, its sealed content. */
export function hashedEnvelopeOf(event: StoredEvent): HashedEnvelope {
  return event.sealed ? { ...event, data: event.sealed.data, metadata: event.sealed.metadata } : event;
}

/** The values left once the named places are erased: each keeps its kind and loses its value and salt. */
export function withoutValues(values: ErasableValues, pointers: readonly string[]): ErasableValues {
  const kept: ErasableValues = { ...values };
  for (const pointer of pointers) if (kept[pointer]) kept[pointer] = { kind: kept[pointer].kind };
  return kept;
}
