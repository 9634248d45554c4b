import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './encoding';
import { IntegrityError } from './integrity-error';

/** RFC 9162 with SHA-256: every leaf, node and root hash is 32 bytes. */
export const HASH_SIZE = 32;

// Domain separation (RFC 9162 §2.1.1): a leaf can never be passed off as an
// interior node, which would otherwise let a forger prove a shorter tree.
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

// One-shot over one buffer: every event costs a leaf and about one node hash (twice in verify), and a
// Hash object per call costs more than the digest itself.
function sha256(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(hash('sha256', Buffer.concat(parts), 'buffer'));
}

/** MTH of a one-leaf tree: SHA-256(0x00 || data), for leaf data of any length. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHash(left, 'left node hash');
  assertHash(right, 'right node hash');
  return sha256(NODE_PREFIX, left, right);
}

/** MTH of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). A fresh copy, so no caller can alter another's. */
export function emptyTreeRoot(): Uint8Array {
  return sha256();
}

/**
 * The ledger's leaf: the 32 raw bytes of an event's `integrity.hash`, so a
 * regulator can recompute it from the exported event alone.
 */
export function eventLeafHash(eventHashHex: string): Uint8Array {
  return leafHash(hashFromHex(eventHashHex));
}

/** Only the lowercase spelling `eventHash` produces, so one hash has one text form. */
export function hashFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new IntegrityError(
      'MALFORMED_HASH',
      `expected 64 lowercase hex digits, got ${JSON.stringify(hex.slice(0, 80))}`,
    );
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
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
