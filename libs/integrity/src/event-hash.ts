import { createHash, hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { HASH_SCHEME_COMMITMENTS, type HashScheme } from './erasable';

/** The prevHash of the first event in a stream: nothing precedes it. */
export const GENESIS_HASH = '0'.repeat(64);

/** One-shot: for the short inputs hashed per event, a Hash object per call costs more than the digest. */
export function sha256Hex(input: string | Uint8Array): string {
  return hash('sha256', input, 'hex');
}

/** The SHA-256 of text handed over in parts, as if joined: for inputs too large to build as one string. */
export function sha256HexOfParts(parts: Iterable<string>): string {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  return digest.digest('hex');
}

/**
 * Everything an event hash covers: the envelope except `position` (the
 * store's, not the emitter's) and `hash` itself. Scheme 1 covers every value
 * as stated. Scheme 2 covers the same members, with each erasable value
 * replaced by its commitment (see erasable.ts) and `integrity.hashScheme: 2`
 * added, so no event can be read under the other scheme than it was hashed.
 */
export interface HashedEnvelope {
  eventId: string;
  type: string;
  schemaVersion: number;
  stream: string;
  revision: number;
  data: unknown;
  metadata: unknown;
  integrity: { prevHash: string; hashScheme?: HashScheme };
}

export function eventHash(envelope: HashedEnvelope): string {
  return sha256Hex(hashedForm(envelope));
}

/** The exact text an event hash is the SHA-256 of: the RFC 8785 form of the hashed fields only. */
export function hashedForm(envelope: HashedEnvelope): string {
  const { eventId, type, schemaVersion, stream, revision, data, metadata, integrity } = envelope;
  return canonicalJson({
    eventId,
    type,
    schemaVersion,
    stream,
    revision,
    data,
    metadata,
    integrity: integrityHashed(integrity),
  });
}

/** The integrity member as hashed: scheme 1 spells no scheme, so events stored before scheme 2 hash as they always did. */
export function integrityHashed(integrity: { prevHash: string; hashScheme?: HashScheme }): {
  prevHash: string;
  hashScheme?: HashScheme;
} {
  return integrity.hashScheme === HASH_SCHEME_COMMITMENTS
    ? { hashScheme: HASH_SCHEME_COMMITMENTS, prevHash: integrity.prevHash }
    : { prevHash: integrity.prevHash };
}
