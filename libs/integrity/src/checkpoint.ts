import { decodeBase64 } from './encoding';
import { IntegrityError } from './integrity-error';
import { assertHash, hashToBase64 } from './merkle-hash';
import { NoteSigner, NoteVerifier } from './note-keys';
import { NoteSignature, signNote, verifyNote } from './signed-note';
import { assertTreeSize } from './tree-size';

/*
 * C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text
 * is the log's origin, its tree size in decimal, and the base64 RFC 9162 root
 * hash, one per line, then optional non-empty extension lines. It is the tree
 * head that witnesses, monitors and Go's sumdb tooling understand.
 */

export interface Checkpoint {
  /** The log's identity; by convention also the signing key's name. */
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions?: readonly string[];
}

export interface OpenedCheckpoint extends Checkpoint {
  readonly extensions: readonly string[];
  /** The trusted keys that signed it: after a rotation, tells which key did. */
  readonly signatures: readonly NoteSignature[];
}

/** The note text (unsigned body) of a checkpoint. */
export function formatCheckpoint({ origin, size, rootHash, extensions = [] }: Checkpoint): string {
  assertLine(origin, 'origin');
  assertTreeSize(size, 'tree size');
  assertHash(rootHash, 'root hash');
  extensions.forEach((line, i) => assertLine(line, `extension line ${i + 1}`));
  return [origin, String(size), hashToBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('');
}

/** Reads the note text of a checkpoint. It does not check signatures: use openCheckpoint for anything you will trust. */
export function parseCheckpoint(text: string): Checkpoint & { extensions: readonly string[] } {
  if (!text.endsWith('\n')) throw malformed('checkpoint text must end with a newline');
  const [origin, sizeText, rootText, ...extensions] = text.slice(0, -1).split('\n');
  if (rootText === undefined)
    throw malformed('a checkpoint has at least three lines: origin, tree size, root hash');
  [origin, ...extensions].forEach((line, i) => assertLine(line, i === 0 ? 'origin' : `extension line ${i}`));
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw malformed(
      `tree size must be a decimal number without leading zeros, got ${JSON.stringify(sizeText.slice(0, 40))}`,
    );
  }
  const rootHash = decodeBase64(rootText);
  if (!rootHash || rootHash.length !== 32) throw malformed('root hash must be 32 bytes in standard base64');
  return { origin, size: Number(sizeText), rootHash, extensions };
}

export function signCheckpoint(checkpoint: Checkpoint, signers: NoteSigner | readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), Array.isArray(signers) ? signers : [signers as NoteSigner]);
}

/**
 * Verifies a signed checkpoint against trusted keys (every published key of
 * the log, old and new) and reads it. When `expectedOrigin` is given, a
 * checkpoint of another log is refused even if a trusted key signed it.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  expectedOrigin?: string,
): OpenedCheckpoint {
  const { text, signatures } = verifyNote(note, verifiers);
  const checkpoint = parseCheckpoint(text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new IntegrityError(
      'ORIGIN_MISMATCH',
      `the checkpoint is for log ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(expectedOrigin)}`,
    );
  }
  return { ...checkpoint, signatures };
}

function assertLine(line: string, what: string): void {
  if (line === '') throw malformed(`${what} must not be empty`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(line)) throw malformed(`${what} must be one line without control characters`);
}

function malformed(message: string): IntegrityError {
  return new IntegrityError('MALFORMED_CHECKPOINT', message);
}
