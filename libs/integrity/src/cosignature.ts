import { concatBytes, encodeBase64 } from './encoding';
import { IntegrityError } from './integrity-error';
import { cosignatureVerifier, formatKeyId, NoteSigner, NoteVerifier } from './note-keys';
import { keyOf, parseSignatureLine, splitNote } from './signed-note';

/*
 * Witness cosignatures (c2sp.org/tlog-cosignature, cosignature/v1): a witness
 * signs, with an algorithm-0x04 Ed25519 key,
 *
 *   cosignature/v1\n
 *   time <seconds since the epoch>\n
 *   <the checkpoint's note text>
 *
 * and the note carries it as one more signature line whose bytes are
 * key id (4) || timestamp (8, big-endian) || signature (64). A verifier that
 * does not know the witness ignores the line, as with any unknown key.
 */

const HEADER = 'cosignature/v1\ntime ';
const SIGNATURE_SIZE = 64;

export interface Cosignature {
  readonly name: string;
  readonly keyId: number;
  /** Seconds since the epoch at which the witness cosigned. */
  readonly timestamp: number;
  /** The signature line as it stands in the note, without its newline. */
  readonly line: string;
}

/** The bytes a witness signs for `text` (a checkpoint's note text) at `timestamp`. */
export function cosignatureMessage(text: string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new IntegrityError(
      'MALFORMED_NOTE',
      `a cosignature time is whole seconds, 0 or more, got ${timestamp}`,
    );
  return new TextEncoder().encode(`${HEADER}${timestamp}\n${text}`);
}

/** The cosignature line (ending in a newline) by `signer`, a witness key from cosignatureSigner. */
export function cosign(text: string, signer: NoteSigner, timestamp: number): string {
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, signer.keyId);
  view.setBigUint64(4, BigInt(timestamp));
  const signature = signer.sign(cosignatureMessage(text, timestamp));
  return `\u2014 ${signer.name} ${encodeBase64(concatBytes(head, signature))}\n`;
}

/**
 * The cosignatures in `note` by the given witness keys (cosignatureVerifier),
 * each checked against the note's text; lines by other keys are ignored. A line
 * that names a given witness but does not verify throws: it is forged or the
 * note was altered, not noise. The log's own signature is not checked here.
 */
export function verifyCosignatures(note: string, witnesses: readonly NoteVerifier[]): Cosignature[] {
  const { text, lines } = splitNote(note);
  const byKey = new Map(witnesses.map((w) => [keyOf(w.name, w.keyId), w]));
  const found = new Map<string, Cosignature>();
  for (const line of lines) {
    const { signature, bytes } = parseSignatureLine(line);
    const key = keyOf(signature.name, signature.keyId);
    const witness = byKey.get(key);
    if (!witness || found.has(key)) continue;
    if (bytes.length !== 4 + 8 + SIGNATURE_SIZE)
      throw new IntegrityError(
        'MALFORMED_NOTE',
        `the cosignature by ${signature.name}+${formatKeyId(signature.keyId)} is ${bytes.length} bytes, not key id, time and signature (76)`,
      );
    const time = new DataView(bytes.buffer, bytes.byteOffset + 4, 8).getBigUint64(0);
    if (time > BigInt(Number.MAX_SAFE_INTEGER))
      throw new IntegrityError('MALFORMED_NOTE', `the cosignature by ${key} has an impossible time ${time}`);
    const timestamp = Number(time);
    if (!witness.verify(cosignatureMessage(text, timestamp), bytes.subarray(12)))
      throw new IntegrityError(
        'INVALID_SIGNATURE',
        `the cosignature by ${key} does not verify: the checkpoint was altered or the cosignature forged`,
      );
    found.set(key, { name: signature.name, keyId: signature.keyId, timestamp, line });
  }
  return [...found.values()];
}

/** A verifier's witness policy: of the witnesses it trusts, at least `threshold` must have cosigned. */
export interface WitnessPolicy {
  readonly witnesses: readonly NoteVerifier[];
  readonly threshold: number;
}

/** Which of the trusted witnesses cosigned a note, and whether at least `threshold` of them did. */
export interface WitnessPolicyResult {
  /** `<name>+<key id>` of each trusted witness whose cosignature verifies, with its time. */
  readonly cosignedBy: readonly { witness: string; time: string }[];
  readonly threshold: number;
  readonly met: boolean;
}

/** Reads witness keys (cosignatureVerifier form); throws IntegrityError for a bad key or a threshold they could never meet. */
export function witnessPolicy(witnessKeys: readonly string[], threshold: number): WitnessPolicy {
  const witnesses = witnessKeys.map((key) => cosignatureVerifier(key.trim()));
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > witnesses.length)
    throw new IntegrityError(
      'MALFORMED_KEY',
      `the witness threshold must be a whole number from 1 to the ${witnesses.length} witness keys given, got ${threshold}`,
    );
  return { witnesses, threshold };
}

/** Applies a witness policy to a cosigned note; a forged cosignature by a trusted witness throws. */
export function checkWitnessPolicy(
  note: string,
  { witnesses, threshold }: WitnessPolicy,
): WitnessPolicyResult {
  const cosignedBy = verifyCosignatures(note, witnesses).map((c) => ({
    witness: `${c.name}+${formatKeyId(c.keyId)}`,
    time: new Date(c.timestamp * 1000).toISOString(),
  }));
  return { cosignedBy, threshold, met: cosignedBy.length >= threshold };
}
