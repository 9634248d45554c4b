import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';
import { decodeBase64, encodeBase64, isSha256Hex } from './encoding';
import { IntegrityError } from './integrity-error';

/** RFC 9162 with SHA-256: every leaf, node and root hash is 32 bytes. */
export const HASH_SIZE = 32;

// Domain separation (RFC 9162 §2.1.1): a leaf can never be passed off as an
// interior node, which would otherwise let a forger prove a shorter tree.
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Every event costs a leaf and about one node hash (the sealer's, verify's), where the digest of a block or two
// costs less than the call around it: one-shot hashing over one reused input buffer per shape (filled and
// hashed synchronously, so no caller can see another's), and the digest returned as a view, not a copy.
const EVENT_LEAF_INPUT = Buffer.alloc(1 + HASH_SIZE, LEAF_PREFIX);
const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE, NODE_PREFIX);

function sha256(input: Uint8Array): Uint8Array {
  const digest = hash('sha256', input, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** MTH of a one-leaf tree: SHA-256(0x00 || data), for leaf data of any length. */
export function leafHash(data: Uint8Array): Uint8Array {
  const input = Buffer.allocUnsafe(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHash(left, 'left node hash');
  assertHash(right, 'right node hash');
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_SIZE);
  return sha256(NODE_INPUT);
}

/** MTH of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). A fresh copy, so no caller can alter another's. */
export function emptyTreeRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/**
 * The ledger's leaf: the 32 raw bytes of an event's `integrity.hash`, so a
 * regulator can recompute it from the exported event alone.
 */
export function eventLeafHash(eventHashHex: string): Uint8Array {
  assertHex(eventHashHex);
  EVENT_LEAF_INPUT.write(eventHashHex, 1, 'hex');
  return sha256(EVENT_LEAF_INPUT);
}

/** Only the lowercase spelling `eventHash` produces, so one hash has one text form. */
export function hashFromHex(hex: string): Uint8Array {
  assertHex(hex);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function assertHex(hex: string): void {
  if (!isSha256Hex(hex)) {
    throw new IntegrityError(
      'MALFORMED_HASH',
      `expected 64 lowercase hex digits, got ${JSON.stringify(hex.slice(0, 80))}`,
    );
  }
}

export function hashToHex(hash: Uint8Array): string {
  assertHash(hash, 'hash');
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}

export function hashToBase64(hash: Uint8Array): string {
  assertHash(hash, 'hash');
  return encodeBase64(hash);
}

/** A hash in the checkpoint's standard base64, as proofs carry it over the wire. */
export function hashFromBase64(text: string): Uint8Array {
  const hash = decodeBase64(text);
  if (!hash || hash.length !== HASH_SIZE)
    throw new IntegrityError(
      'MALFORMED_HASH',
      `expected a ${HASH_SIZE}-byte hash in standard base64, got ${JSON.stringify(text.slice(0, 80))}`,
    );
  return hash;
}

export function assertHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
    throw new IntegrityError('MALFORMED_HASH', `${what} must be ${HASH_SIZE} bytes, got ${got}`);
  }
}
