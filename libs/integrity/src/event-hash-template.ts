import { canonicalJson } from './canonical-json';
import { HASH_SCHEME_COMMITMENTS, type HashScheme } from './erasable';
import { isSha256Hex } from './encoding';
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

/**
 * The template around `data` and `metadata` already in their canonical form:
 * text a store kept exactly as append canonicalised it can be hashed again
 * without parsing it.
 */
export function templateOfCanonical(
  stream: string,
  event: Pick<HashedEnvelope, 'eventId' | 'type' | 'schemaVersion'>,
  data: string,
  metadata: string,
  hashScheme: HashScheme = 1,
): EventHashTemplate {
  return {
    beforePrevHash: `{"data":${data},"eventId":${canonicalJson(event.eventId)},"integrity":${integrityOpening(hashScheme)}`,
    beforeRevision: `"},"metadata":${metadata},"revision":`,
    afterRevision: `,"schemaVersion":${canonicalJson(event.schemaVersion)},"stream":${canonicalJson(stream)},"type":${canonicalJson(event.type)}}`,
  };
}

/**
 * The event hash, from the template and the head's two values: equal to
 * eventHash of the whole envelope. A prevHash is always a lower-case SHA-256
 * hex digest (or the genesis hash), which JSON spells as it is, unescaped.
 */
export function templatedEventHash(template: EventHashTemplate, revision: number, prevHash: string): string {
  if (!Number.isSafeInteger(revision) || revision < 0)
    throw new TypeError(`revision ${revision} is not a revision`);
  if (!isSha256Hex(prevHash)) throw new TypeError('prevHash must be a lower-case SHA-256 hex digest');
  return sha256Hex(
    template.beforePrevHash + prevHash + template.beforeRevision + revision + template.afterRevision,
  );
}

/** Where the envelope's integrity member opens, up to the prevHash digits: text the canonical envelope holds once, unless data or metadata hold it too. */
function integrityOpening(hashScheme: HashScheme): string {
  return hashScheme === HASH_SCHEME_COMMITMENTS
    ? `{"hashScheme":${HASH_SCHEME_COMMITMENTS},"prevHash":"`
    : '{"prevHash":"';
}

/**
 * The hash of a stored event whose `data` and `metadata` texts are taken to
 * be the canonical forms append hashed: no parsing, no canonicalising. Equal
 * to the stored hash, it proves the texts are exactly the hashed ones,
 * provided the joined envelope splits into its parts only one way. Every
 * other part is a JSON string literal, digits or a hex digest, bounded by
 * the envelope's fixed text; only data and metadata are free. A split moved
 * along the joined text moves the envelope's `{"prevHash":"` with it, so the
 * true envelope would hold that text twice, once inside a stored text. Where
 * neither text holds it the split is the true one; where one does, this
 * returns undefined and the caller parses and canonicalises. It throws
 * where templatedEventHash does (a revision or previous hash no append
 * writes).
 */
export function storedCanonicalHash(
  event: Pick<HashedEnvelope, 'eventId' | 'type' | 'schemaVersion' | 'stream' | 'revision'> & {
    integrity: { prevHash: string; hashScheme?: HashScheme };
  },
  data: string,
  metadata: string,
): string | undefined {
  const hashScheme = event.integrity.hashScheme ?? 1;
  const opening = integrityOpening(hashScheme);
  if (data.includes(opening) || metadata.includes(opening)) return undefined;
  return templatedEventHash(
    templateOfCanonical(event.stream, event, data, metadata, hashScheme),
    event.revision,
    event.integrity.prevHash,
  );
}
