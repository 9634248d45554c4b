import { Buffer } from 'node:buffer';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { concatBytes, decodeBase64, encodeBase64 } from './encoding';
import { IntegrityError } from './integrity-error';

/*
 * Ed25519 keys in the text forms of Go's golang.org/x/mod/sumdb/note and the
 * C2SP signed-note spec, so that anyone can check our checkpoints with
 * `note.NewVerifier(vkey)` and tools we did not write:
 *   verifier key: <name>+<key id, 8 hex>+<base64(0x01 || 32-byte public key)>
 *   signer key:   PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x01 || 32-byte seed)>
 * The key id is the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key),
 * so a log can rotate keys under one name and old notes still name the key that signed them.
 */

const ED25519 = 0x01;
/** c2sp.org/tlog-cosignature: an Ed25519 witness key whose signatures are timestamped cosignature/v1 statements. */
const COSIGNATURE_V1 = 0x04;
type Algorithm = typeof ED25519 | typeof COSIGNATURE_V1;
const SEED_SIZE = 32;
const SIGNATURE_SIZE = 64;
// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): the one form node:crypto imports a bare seed from.
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** The public half, to publish and to give to verifiers. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly verifierKey: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteKeyPair {
  /** Secret: whoever holds it can sign checkpoints in the log's name. */
  readonly signerKey: string;
  readonly verifierKey: string;
}

export function generateNoteKey(name: string): NoteKeyPair {
  return generateKey(name, ED25519);
}

/** A witness's key pair: the same text forms, algorithm 0x04, so a cosigning key can never sign a checkpoint. */
export function generateCosignatureKey(name: string): NoteKeyPair {
  return generateKey(name, COSIGNATURE_V1);
}

export function noteSigner(signerKey: string): NoteSigner {
  return parseSigner(signerKey, ED25519);
}

/** The signer of a witness key (algorithm 0x04); sign what cosignatureMessage returns. */
export function cosignatureSigner(signerKey: string): NoteSigner {
  return parseSigner(signerKey, COSIGNATURE_V1);
}

export function noteVerifier(verifierKey: string): NoteVerifier {
  return parseVerifier(verifierKey, ED25519);
}

/** The verifier of a witness key (algorithm 0x04): it checks cosignatureMessage, not the bare note text. */
export function cosignatureVerifier(verifierKey: string): NoteVerifier {
  return parseVerifier(verifierKey, COSIGNATURE_V1);
}

function generateKey(name: string, algorithm: Algorithm): NoteKeyPair {
  const signer = signerFromSeed(name, randomBytes(SEED_SIZE), algorithm);
  return { signerKey: signer.signerKey, verifierKey: signer.verifierKey };
}

function parseSigner(signerKey: string, algorithm: Algorithm): NoteSigner {
  const [private1, rest1] = chop(signerKey, '+');
  const [private2, rest2] = chop(rest1, '+');
  if (private1 !== 'PRIVATE' || private2 !== 'KEY')
    throw malformedKey('a signer key starts with PRIVATE+KEY+');
  const { name, keyId, key: seed } = parseKeyParts(rest2, 'signer key', algorithm);
  if (seed.length !== SEED_SIZE)
    throw malformedKey(`an Ed25519 signer key holds a ${SEED_SIZE}-byte seed, this one ${seed.length} bytes`);
  const signer = signerFromSeed(name, seed, algorithm);
  if (signer.keyId !== keyId)
    throw malformedKey(
      `the signer key says key id ${formatKeyId(keyId)}, but its key's id is ${formatKeyId(signer.keyId)}`,
    );
  return signer;
}

function parseVerifier(verifierKey: string, algorithm: Algorithm): NoteVerifier {
  const { name, keyId, key: publicKey } = parseKeyParts(verifierKey, 'verifier key', algorithm);
  if (publicKey.length !== 32)
    throw malformedKey(
      `an Ed25519 verifier key holds a 32-byte public key, this one ${publicKey.length} bytes`,
    );
  if (computeKeyId(name, publicKey, algorithm) !== keyId)
    throw malformedKey(`the verifier key's id ${formatKeyId(keyId)} does not match its name and public key`);
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
  return {
    name,
    keyId,
    verifierKey: formatVerifierKey(name, keyId, publicKey, algorithm),
    verify: (message, signature) =>
      signature.length === SIGNATURE_SIZE && verify(null, message, key, signature),
  };
}

/** Key names as Go's note package accepts them: non-empty, no Unicode white space, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !/[\p{White_Space}+]/u.test(name);
}

export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function signerFromSeed(
  name: string,
  seed: Uint8Array,
  algorithm: Algorithm,
): NoteSigner & { signerKey: string } {
  if (!isValidKeyName(name))
    throw malformedKey(`key name ${JSON.stringify(name)} must be non-empty, without spaces or '+'`);
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_SEED_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = new Uint8Array(Buffer.from(publicJwk.x as string, 'base64url'));
  const keyId = computeKeyId(name, publicKey, algorithm);
  return {
    name,
    keyId,
    verifierKey: formatVerifierKey(name, keyId, publicKey, algorithm),
    signerKey: `PRIVATE+KEY+${name}+${formatKeyId(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(algorithm), seed))}`,
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

function computeKeyId(name: string, publicKey: Uint8Array, algorithm: Algorithm): number {
  const digest = createHash('sha256')
    .update(name)
    .update('\n')
    .update(Uint8Array.of(algorithm))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

function formatVerifierKey(name: string, keyId: number, publicKey: Uint8Array, algorithm: Algorithm): string {
  return `${name}+${formatKeyId(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(algorithm), publicKey))}`;
}

/** `<name>+<8 hex key id>+<base64(algorithm || key)>`, common to both key forms. */
function parseKeyParts(
  text: string,
  what: string,
  algorithm: Algorithm,
): { name: string; keyId: number; key: Uint8Array } {
  const [name, rest] = chop(text, '+');
  const [keyIdHex, keyBase64] = chop(rest, '+');
  if (!isValidKeyName(name))
    throw malformedKey(`the ${what} must start with a name without spaces or '+', then '+'`);
  if (!/^[0-9a-fA-F]{8}$/.test(keyIdHex))
    throw malformedKey(`the ${what}'s key id must be 8 hex digits, got ${JSON.stringify(keyIdHex)}`);
  const key = decodeBase64(keyBase64);
  if (!key || key.length === 0) throw malformedKey(`the ${what}'s key must be standard base64`);
  if (key[0] !== algorithm)
    throw malformedKey(
      algorithm === ED25519
        ? `the ${what} uses algorithm ${key[0]}; only Ed25519 (1) is supported`
        : `the ${what} uses algorithm ${key[0]}; a witness key is a cosignature/v1 key (4)`,
    );
  return { name, keyId: Number.parseInt(keyIdHex, 16), key: key.subarray(1) };
}

/** Go's note.chop: split at the first separator; a key name cannot contain '+', base64 can. */
function chop(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

function malformedKey(message: string): IntegrityError {
  return new IntegrityError('MALFORMED_KEY', message);
}
