import { hash, randomFillSync } from 'node:crypto';
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
const NOT_HEX = /[^0-9a-f]/;

/** 64 lower-case hex digits: found by looking for any other character, which V8 runs faster than matching all 64 (verify-bundle checks six a line). */
function isHex256(text: string): boolean {
  return text.length === 64 && !NOT_HEX.test(text);
}

/** SHA-256 over the salt's 32 bytes and the value's canonical UTF-8 text, lower-case hex. */
export function valueCommitment(salt: string, value: unknown): string {
  if (!isHex256(salt)) throw new TypeError('a salt is 64 lower-case hex digits (256 bits)');
  return commitmentOf(salt, value);
}

/**
 * One-shot over the salt and the value's text written into one buffer: a Hash
 * object with two updates cost more than the digest of these few bytes, and
 * verify opens several values per event.
 */
function commitmentOf(salt: string, value: unknown): string {
  const text = canonicalJson(value);
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const room = SALT_BYTES + 3 * text.length;
  if (opening.length < room) opening = Buffer.allocUnsafe(Math.max(room, 2 * opening.length));
  opening.write(salt, 0, 'hex');
  const end = SALT_BYTES + opening.write(text, SALT_BYTES, 'utf8');
  return hash('sha256', opening.subarray(0, end), 'hex');
}

let opening = Buffer.allocUnsafe(4096);

/** The commitment a sealed envelope holds at a place, or undefined if the place holds something else. */
export function commitmentAt(sealed: object, pointer: string): string | undefined {
  return commitmentIn(valueAt(sealed, pointer));
}

/** The commitment `node` is, or undefined if it is anything else. */
function commitmentIn(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  const commitment = (node as Record<string, unknown>)[COMMITMENT_KEY];
  return keys.length === 1 && typeof commitment === 'string' && isHex256(commitment) ? commitment : undefined;
}

/** A commitment as RFC 8785 spells it: nothing else in canonical JSON text can read so (a quote inside a string is escaped). */
const COMMITMENT_TEXT = /\{"\$commitment":"[0-9a-f]{64}"\}/g;

/**
 * How many commitments canonical JSON text holds, counted in the text: as
 * many as commitmentsUnder finds in what it parses to. Text in any other
 * spelling (whitespace, escapes) can hold commitments this does not count.
 */
export function commitmentsInCanonicalText(text: string): number {
  return text.match(COMMITMENT_TEXT)?.length ?? 0;
}

/**
 * Every commitment under `root`, by its pointer: one walk, for a verifier
 * that checks them all (resolving each place from the root again was most
 * of verify's time per scheme-2 event). A commitment's own members are not
 * walked into.
 */
export function commitmentsUnder(root: object): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (node: object, pointer: string): void => {
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      if (child === null || typeof child !== 'object') continue;
      const at = `${pointer}/${pointerToken(key)}`;
      const commitment = commitmentIn(child);
      if (commitment !== undefined) found.set(at, commitment);
      else walk(child, at);
    }
  };
  walk(root, '');
  return found;
}

/**
 * Replaces each erasable value that is present by its commitment, under a
 * fresh salt each, and returns the sealed envelope parts with the values
 * kept beside them. A field the event does not hold is skipped. Once a value
 * is sealed, `sealed` is a copy of the envelope, the caller's own.
 */
export function sealValues<E extends { data: unknown; metadata: unknown }>(
  envelope: E,
  fields: readonly ErasableField[],
): { sealed: E; values: ErasableValues } {
  const sealed = new CopyOnWrite(envelope);
  const values: ErasableValues = {};
  for (const { pointer, kind } of fields) {
    const path = tokens(pointer);
    const value = valueAtPath(envelope, path);
    if (value === undefined || Object.hasOwn(values, pointer)) continue;
    const salt = freshSalt();
    values[pointer] = { kind, salt, value };
    sealed.set(path, { [COMMITMENT_KEY]: commitmentOf(salt, value) });
  }
  return { sealed: sealed.root, values };
}

/** The envelope as readers see it: each commitment replaced by its value, or by ERASED once the value is gone. */
export function openValues<E extends { data: unknown; metadata: unknown }>(
  sealed: E,
  values: ErasableValues,
): E {
  const opened = new CopyOnWrite(sealed);
  for (const pointer in values) {
    const entry = values[pointer];
    opened.set(tokens(pointer), entry.salt === undefined ? ERASED : entry.value);
  }
  return opened.root;
}

/** Why a value kept beside a sealed envelope does not belong to it, or undefined when it does. */
export function valueMismatch(sealed: object, pointer: string, entry: ErasableValue): string | undefined {
  return openingMismatch(commitmentAt(sealed, pointer), pointer, entry);
}

/** Why a value kept for `pointer` does not open `commitment`, the one found there (undefined: none), or undefined when it does. */
export function openingMismatch(
  commitment: string | undefined,
  pointer: string,
  entry: ErasableValue,
): string | undefined {
  if (commitment === undefined) return `${pointer} holds no commitment`;
  if (entry.salt === undefined) return undefined;
  if (!isHex256(entry.salt)) return `the salt of ${pointer} is not 256 bits of hex`;
  return commitmentOf(entry.salt, entry.value) === commitment
    ? undefined
    : `the value kept for ${pointer} does not open its commitment`;
}

/**
 * 256 bits from the CSPRNG as hex, drawn from a buffer filled 1,024 salts at
 * a time and spelled in hex at once: one call per salt cost more than sealing
 * the rest of an event (about 9 µs each, three or more salts per event), and
 * a view and a hex conversion per salt cost more than a slice of the text.
 */
function freshSalt(): string {
  if (saltsAt === saltPool.length) {
    randomFillSync(saltPool);
    saltPoolHex = saltPool.toString('hex');
    saltsAt = 0;
  }
  const salt = saltPoolHex.slice(2 * saltsAt, 2 * (saltsAt + SALT_BYTES));
  saltsAt += SALT_BYTES;
  return salt;
}

const SALT_BYTES = 32;
const saltPool = Buffer.allocUnsafe(SALT_BYTES * 1024);
let saltPoolHex = '';
let saltsAt = saltPool.length;

/**
 * Pointers already split: sealing and verifying resolve the same few pointers
 * for every event, and splitting each anew was a twentieth of verify-bundle's
 * time. Bounded, since a verifier is handed anyone's pointers.
 */
const parsedPointers = new Map<string, readonly string[]>();

function tokens(pointer: string): readonly string[] {
  const parsed = parsedPointers.get(pointer);
  if (parsed) return parsed;
  if (!pointer.startsWith('/'))
    throw new TypeError(`${pointer} is not a JSON Pointer from the envelope's root`);
  const escaped = pointer.slice(1).split('/');
  const path = pointer.includes('~')
    ? escaped.map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
    : escaped;
  if (parsedPointers.size === 256) parsedPointers.clear();
  parsedPointers.set(pointer, path);
  return path;
}

/** RFC 6901 escaping of one reference token. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function valueAt(root: unknown, pointer: string): unknown {
  return valueAtPath(root, tokens(pointer));
}

function valueAtPath(root: unknown, path: readonly string[]): unknown {
  let at: unknown = root;
  for (const token of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, token)) return undefined;
    at = (at as Record<string, unknown>)[token];
  }
  return at;
}

/**
 * A copy of `root` with values replaced at places, sharing every branch no
 * place passes through. A node on the way to several places is copied once,
 * at the first, and written in place at the others: the copy is this one's own.
 */
class CopyOnWrite<T> {
  private readonly copies = new Set<object>();

  constructor(public root: T) {}

  /** Replaces the value at `path`, if root holds that place. */
  set(path: readonly string[], value: unknown): void {
    if (path.length === 0 || !this.holds(path)) return;
    let node = this.own(this.root as object);
    this.root = node as T;
    for (let depth = 0; depth < path.length - 1; depth++) {
      const child = this.own((node as Record<string, object>)[path[depth]]);
      (node as Record<string, object>)[path[depth]] = child;
      node = child;
    }
    (node as Record<string, unknown>)[path[path.length - 1]] = value;
  }

  private holds(path: readonly string[]): boolean {
    let at: unknown = this.root;
    for (const token of path) {
      if (at === null || typeof at !== 'object' || !Object.hasOwn(at, token)) return false;
      at = (at as Record<string, unknown>)[token];
    }
    return true;
  }

  private own(node: object): object {
    if (this.copies.has(node)) return node;
    const copy = Array.isArray(node) ? [...(node as unknown[])] : { ...node };
    this.copies.add(copy);
    return copy;
  }
}
