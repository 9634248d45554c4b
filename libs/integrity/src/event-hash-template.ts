import { canonicalJson } from './canonical-json';
import { sha256Hex, type HashedEnvelope } from './event-hash';

/**
 * The canonical envelope an event hash covers (see eventHash), cut at the two
 * values only the stream's head decides: the previous event's hash and the
 * revision. Everything the emitter said is canonicalised once, before the
 * head is known; filling the holes is string concatenation, cheap enough to
 * do under a store's write lock, and simple enough for a database to do
 * itself (PostgreSQL's append function fills these same three parts).
 * RFC 8785 orders the envelope's keys data, eventId, integrity, metadata,
 * revision, schemaVersion, stream, type: that order is fixed, so the cuts are.
 */
export interface EventHashTemplate {
  /** Up to the opening quote of integrity.prevHash. */
  readonly beforePrevHash: string;
  /** From the closing quote of prevHash up to the revision's digits. */
  readonly beforeRevision: string;
  /** Everything after the revision. */
  readonly afterRevision: string;
}

export function eventHashTemplate(
  stream: string,
  event: Omit<HashedEnvelope, 'stream' | 'revision' | 'integrity'>,
): EventHashTemplate {
  return {
    beforePrevHash: `{"data":${canonicalJson(event.data)},"eventId":${canonicalJson(event.eventId)},"integrity":{"prevHash":"`,
    beforeRevision: `"},"metadata":${canonicalJson(event.metadata)},"revision":`,
    afterRevision: `,"schemaVersion":${canonicalJson(event.schemaVersion)},"stream":${canonicalJson(stream)},"type":${canonicalJson(event.type)}}`,
  };
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * The event hash, from the template and the head's two values: equal to
 * eventHash of the whole envelope. A prevHash is always a lower-case SHA-256
 * hex digest (or the genesis hash), which JSON spells as it is, unescaped.
 */
export function templatedEventHash(template: EventHashTemplate, revision: number, prevHash: string): string {
  if (!Number.isSafeInteger(revision) || revision < 0)
    throw new TypeError(`revision ${revision} is not a revision`);
  if (!HEX_HASH.test(prevHash)) throw new TypeError('prevHash must be a lower-case SHA-256 hex digest');
  return sha256Hex(
    template.beforePrevHash + prevHash + template.beforeRevision + revision + template.afterRevision,
  );
}
