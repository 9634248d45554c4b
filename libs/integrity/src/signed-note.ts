import { concatBytes, decodeBase64, encodeBase64 } from './encoding';
import { IntegrityError } from './integrity-error';
import { formatKeyId, isValidKeyName, NoteSigner, NoteVerifier } from './note-keys';

/*
 * C2SP signed notes (c2sp.org/signed-note), read the way Go's
 * golang.org/x/mod/sumdb/note Open reads them, so that a note we accept is one
 * the rest of the transparency-log ecosystem accepts, and the other way round:
 *
 *   <text, ending in a newline>
 *   <blank line>
 *   — <key name> <base64(4-byte big-endian key id || signature)>
 *   ...one line per signature
 */

const SIGNATURE_PREFIX = '\u2014 ';
// Go refuses more; C2SP requires accepting at least 16.
const MAX_SIGNATURES = 100;

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** base64(key id || signature), as it stands in the note. */
  readonly base64: string;
}

export interface VerifiedNote {
  readonly text: string;
  /** Signatures by trusted keys, each checked. There is at least one. */
  readonly signatures: readonly NoteSignature[];
  /** Signatures by keys the caller did not name (witnesses, other logs): carried, never trusted. */
  readonly unverifiedSignatures: readonly NoteSignature[];
}

export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertNoteCharacters(text, 'note text');
  if (!text.endsWith('\n')) throw new IntegrityError('MALFORMED_NOTE', 'note text must end with a newline');
  if (signers.length === 0) throw new IntegrityError('MALFORMED_NOTE', 'a note needs at least one signer');
  const message = new TextEncoder().encode(text);
  const lines = signers.map((signer) => {
    if (!isValidKeyName(signer.name))
      throw new IntegrityError(
        'MALFORMED_KEY',
        `key name ${JSON.stringify(signer.name)} must be non-empty, without spaces or '+'`,
      );
    const keyId = new Uint8Array(4);
    new DataView(keyId.buffer).setUint32(0, signer.keyId);
    return `${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(concatBytes(keyId, signer.sign(message)))}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Opens a note, trusting only `verifiers`. Throws IntegrityError when the note
 * is malformed, when any signature by a trusted key fails (a forged line
 * beside a good one is an attack, not noise), or when no trusted key signed it.
 * Signatures by other keys are ignored, as the spec requires: that is what
 * lets witnesses cosign and lets a log rotate its key.
 */
export function verifyNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): VerifiedNote {
  const { text, lines } = splitNote(typeof note === 'string' ? note : decodeUtf8(note));
  const trusted = indexVerifiers(verifiers);
  const textBytes = new TextEncoder().encode(text);
  const signatures: NoteSignature[] = [];
  const unverifiedSignatures: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const { signature, bytes } = parseSignatureLine(line);
    // A repeated line, or a second signature by one key, adds nothing; Go's Open drops them too.
    const key = keyOf(signature.name, signature.keyId);
    const verifier = trusted.get(key);
    const dedupe = verifier ? key : line;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    if (!verifier) {
      unverifiedSignatures.push(signature);
      continue;
    }
    if (!verifier.verify(textBytes, bytes.subarray(4))) {
      throw new IntegrityError(
        'INVALID_SIGNATURE',
        `the signature by ${signature.name}+${formatKeyId(signature.keyId)} does not verify: the note was altered or the signature forged`,
      );
    }
    signatures.push(signature);
  }
  if (signatures.length === 0) {
    const found = unverifiedSignatures.map((s) => `${s.name}+${formatKeyId(s.keyId)}`).join(', ');
    const known = verifiers.map((v) => `${v.name}+${formatKeyId(v.keyId)}`).join(', ') || 'none';
    throw new IntegrityError(
      'UNVERIFIED_NOTE',
      `no trusted key signed this note; it is signed by ${found}, the trusted keys are ${known}`,
    );
  }
  return { text, signatures, unverifiedSignatures };
}

/** A note's text (ending in a newline) and its signature lines, checked for form but not for signatures. */
export function splitNote(message: string): { text: string; lines: string[] } {
  assertNoteCharacters(message, 'note');
  const split = message.lastIndexOf('\n\n');
  if (split < 0)
    throw new IntegrityError(
      'MALFORMED_NOTE',
      'a note is text, a blank line, then signature lines; no blank line found',
    );
  const text = message.slice(0, split + 1);
  const signatureBlock = message.slice(split + 2);
  if (signatureBlock === '' || !signatureBlock.endsWith('\n')) {
    throw new IntegrityError(
      'MALFORMED_NOTE',
      'a note must end with signature lines, each ending in a newline',
    );
  }
  const lines = signatureBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES)
    throw new IntegrityError('MALFORMED_NOTE', `a note may carry at most ${MAX_SIGNATURES} signatures`);
  return { text, lines };
}

export function parseSignatureLine(line: string): { signature: NoteSignature; bytes: Uint8Array } {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new IntegrityError(
      'MALFORMED_NOTE',
      `a signature line starts with an em dash (U+2014) and a space: ${JSON.stringify(line.slice(0, 40))}`,
    );
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const base64 = space < 0 ? '' : rest.slice(space + 1);
  const bytes = decodeBase64(base64);
  if (!isValidKeyName(name) || !bytes || bytes.length < 5) {
    throw new IntegrityError(
      'MALFORMED_NOTE',
      `a signature line is "— <key name> <base64 key id and signature>": ${JSON.stringify(line.slice(0, 40))}`,
    );
  }
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return { signature: { name, keyId, base64 }, bytes };
}

function indexVerifiers(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const byKey = new Map<string, NoteVerifier>();
  for (const verifier of verifiers) {
    const key = keyOf(verifier.name, verifier.keyId);
    const other = byKey.get(key);
    if (other && other.verifierKey !== verifier.verifierKey) {
      throw new IntegrityError(
        'AMBIGUOUS_KEY',
        `two different trusted keys are named ${verifier.name}+${formatKeyId(verifier.keyId)}; remove one`,
      );
    }
    byKey.set(key, verifier);
  }
  return byKey;
}

export const keyOf = (name: string, keyId: number): string => `${name}+${formatKeyId(keyId)}`;

/** Signed notes are UTF-8 without ASCII control characters other than newline. */
function assertNoteCharacters(text: string, what: string): void {
  if (!text.isWellFormed()) throw new IntegrityError('MALFORMED_NOTE', `${what} is not valid Unicode`);
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0009\u000b-\u001f]/.exec(text);
  if (control)
    throw new IntegrityError(
      'MALFORMED_NOTE',
      `${what} holds control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading BOM in the text, where it belongs to the signed bytes.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new IntegrityError('MALFORMED_NOTE', 'note is not valid UTF-8');
  }
}
