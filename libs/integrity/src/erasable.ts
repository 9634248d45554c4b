import { createHash, hash, randomFillSync } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/*
 * Erasable values: personal data an event holds (who acted, whom it named,
 * what free text said) that the law may later require the ledger to forget,
 * while every hash, chain, Merkle root, proof and earlier evidence bundle
 * must keep verifying.
 *
 * Under hash scheme 2 each erasable value is replaced, in the envelope the
 * event hash covers, by a commitment: `{"$commitment":"<hex>"}`, the SHA-256
 * of a random 256-bit salt followed by the UTF-8 RFC 8785 form of the value.
 * The value and its salt are stored beside the event, outside what is hashed.
 * Erasing deletes them; the commitment stays, so nothing hashed changes. Who
 * holds the value and the salt can still prove it, and no one can find a
 * value from its commitment: the salt is secret and never reused.
 */

/** Which kind of personal data a value is: it decides which erasure requests reach it. */
export const ERASABLE_KINDS = ['person', 'patient', 'text'] as const;
export type ErasableKind = (typeof ERASABLE_KINDS)[number];

/** A place in an envelope (RFC 6901 JSON Pointer from the envelope's root: `/metadata/actor/id`) and what it holds. */
export interface ErasableField {
  pointer: string;
  kind: ErasableKind;
}

/** A value as kept beside its event; once erased, only its kind is left. */
export interface ErasableValue {
  kind: ErasableKind;
  salt?: string;
  value?: unknown;
}

/** Pointer → value, for one event: the text stored beside it. */
export type ErasableValues = Record<string, ErasableValue>;

/** The hash scheme of events whose erasable values are committed to. Scheme 1 (no marker) hashes every value itself. */
export const HASH_SCHEME_COMMITMENTS = 2;
export type HashScheme = 1 | typeof HASH_SCHEME_COMMITMENTS;

/** What an erased value reads as everywhere the ledger shows it. */
export const ERASED = '[erased]';

const COMMITMENT_KEY = '$commitment';
const HEX_256 = /^[0-9a-f]{64}$/;

/** SHA-256 over the salt's 32 bytes and the value's canonical UTF-8 text, lower-case hex. */
export function valueCommitment(salt: string, value: unknown): string {
  if (!HEX_256.test(salt)) throw new TypeError('a salt is 64 lower-case hex digits (256 bits)');
  return commitmentOf(Buffer.from(salt, 'hex'), value);
}

function commitmentOf(salt: Uint8Array, value: unknown): string {
  const text = canonicalJson(value);
  // Three UTF-8 bytes at most per UTF-16 unit: a value that may not fit is hashed in parts.
  if (SALT_BYTES + text.length * 3 > commitmentInput.length)
    return createHash('sha256').update(salt).update(text, 'utf8').digest('hex');
  commitmentInput.set(salt, 0);
  const length = SALT_BYTES + commitmentInput.write(text, SALT_BYTES, 'utf8');
  return hash('sha256', commitmentInput.subarray(0, length), 'hex');
}

/**
 * Salt and value laid side by side for the one-shot hash, which costs about a
 * third less than a Hash object per commitment (three or more per event).
 */
const commitmentInput = Buffer.allocUnsafe(4096);

/** The commitment a sealed envelope holds at a place, or undefined if the place holds something else. */
export function commitmentAt(sealed: object, pointer: string): string | undefined {
  const found = valueAt(sealed, pointer);
  if (found === null || typeof found !== 'object' || Array.isArray(found)) return undefined;
  const keys = Object.keys(found);
  const commitment = (found as Record<string, unknown>)[COMMITMENT_KEY];
  return keys.length === 1 && typeof commitment === 'string' && HEX_256.test(commitment)
    ? commitment
    : undefined;
}

/**
 * Replaces each erasable value that is present by its commitment, under a
 * fresh salt each, and returns the sealed envelope parts with the values
 * kept beside them. A field the event does not hold is skipped.
 */
export function sealValues<E extends { data: unknown; metadata: unknown }>(
  envelope: E,
  fields: readonly ErasableField[],
): { sealed: E; values: ErasableValues } {
  let sealed = envelope;
  const values: ErasableValues = {};
  for (const { pointer, kind } of fields) {
    const value = valueAt(envelope, pointer);
    if (value === undefined || Object.hasOwn(values, pointer)) continue;
    const salt = freshSalt();
    values[pointer] = { kind, salt: salt.toString('hex'), value };
    sealed = withValueAt(sealed, pointer, { [COMMITMENT_KEY]: commitmentOf(salt, value) });
  }
  return { sealed, values };
}

/** The envelope as readers see it: each commitment replaced by its value, or by ERASED once the value is gone. */
export function openValues<E extends { data: unknown; metadata: unknown }>(
  sealed: E,
  values: ErasableValues,
): E {
  let opened = sealed;
  for (const [pointer, entry] of Object.entries(values))
    opened = withValueAt(opened, pointer, entry.salt === undefined ? ERASED : entry.value);
  return opened;
}

/** Why a value kept beside a sealed envelope does not belong to it, or undefined when it does. */
export function valueMismatch(sealed: object, pointer: string, entry: ErasableValue): string | undefined {
  const commitment = commitmentAt(sealed, pointer);
  if (commitment === undefined) return `${pointer} holds no commitment`;
  if (entry.salt === undefined) return undefined;
  if (!HEX_256.test(entry.salt)) return `the salt of ${pointer} is not 256 bits of hex`;
  return valueCommitment(entry.salt, entry.value) === commitment
    ? undefined
    : `the value kept for ${pointer} does not open its commitment`;
}

/**
 * 256 bits from the CSPRNG, drawn from a buffer filled 1,024 salts at a
 * time: one call per salt cost more than sealing the rest of an event
 * (about 9 µs each, three or more salts per event).
 */
function freshSalt(): Buffer {
  if (saltsAt === saltPool.length) {
    randomFillSync(saltPool);
    saltsAt = 0;
  }
  const salt = saltPool.subarray(saltsAt, saltsAt + SALT_BYTES);
  saltsAt += SALT_BYTES;
  return salt;
}

const SALT_BYTES = 32;
const saltPool = Buffer.allocUnsafe(SALT_BYTES * 1024);
let saltsAt = saltPool.length;

/** Parsed pointers: an append seals the same few places of every event, and parsing them anew was a tenth of sealing. */
const parsedPointers = new Map<string, readonly string[]>();

function tokens(pointer: string): readonly string[] {
  let parsed = parsedPointers.get(pointer);
  if (parsed) return parsed;
  if (!pointer.startsWith('/'))
    throw new TypeError(`${pointer} is not a JSON Pointer from the envelope's root`);
  parsed = pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
  // Bounded: pointers come from the schemas, but an array's items give one per index.
  if (parsedPointers.size < 10_000) parsedPointers.set(pointer, parsed);
  return parsed;
}

/** RFC 6901 escaping of one reference token. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function valueAt(root: unknown, pointer: string): unknown {
  let at: unknown = root;
  for (const token of tokens(pointer)) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, token)) return undefined;
    at = (at as Record<string, unknown>)[token];
  }
  return at;
}

/** A copy of root with the value at pointer replaced, sharing every branch the pointer does not pass through. */
function withValueAt<T>(root: T, pointer: string, value: unknown): T {
  const path = tokens(pointer);
  const replace = (node: unknown, depth: number): unknown => {
    if (depth === path.length) return value;
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, path[depth])) return node;
    const copy: Record<string, unknown> | unknown[] = Array.isArray(node) ? [...node] : { ...node };
    (copy as Record<string, unknown>)[path[depth]] = replace(
      (node as Record<string, unknown>)[path[depth]],
      depth + 1,
    );
    return copy;
  };
  return replace(root, 0) as T;
}
