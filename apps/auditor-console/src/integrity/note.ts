import { type Bytes, fromBase64, sha256, toHex } from './bytes';

/*
 * C2SP signed notes and checkpoints (c2sp.org/signed-note, tlog-checkpoint),
 * read as Go's sumdb/note reads them: text ending in a newline, a blank line,
 * then "— <key name> <base64(4-byte key id || Ed25519 signature)>" lines.
 * Verifier keys are "<name>+<key id hex>+<base64(algorithm || public key)>":
 * algorithm 0x01 for a log's key, 0x04 for a witness's cosignature/v1 key
 * (c2sp.org/tlog-cosignature), the id being the first 4 bytes of
 * SHA-256(name || "\n" || algorithm || public key).
 */

const SIGNATURE_PREFIX = '\u2014 ';
const ED25519 = 1;
const COSIGNATURE_V1 = 4;

export interface NoteSignature {
  name: string;
  keyId: string;
  signature: Bytes;
}

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: string;
  /** The signed text: everything before the blank line, with its final newline. */
  text: string;
  signatures: NoteSignature[];
}

export function parseCheckpoint(note: string): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0)
    throw new Error('a checkpoint is text, a blank line, then signature lines; no blank line found');
  const text = note.slice(0, split + 1);
  const [origin, size, rootHash] = text.split('\n');
  if (!origin || !/^\d+$/.test(size ?? '') || !rootHash)
    throw new Error('a checkpoint starts with its origin, tree size and base64 root hash, one per line');
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      if (!line.startsWith(SIGNATURE_PREFIX)) throw new Error(`not a signature line: ${line}`);
      const [name, encoded] = line.slice(SIGNATURE_PREFIX.length).split(' ');
      const bytes = fromBase64(encoded ?? '');
      if (!name || bytes.length < 5) throw new Error(`malformed signature line: ${line}`);
      return { name, keyId: toHex(bytes.subarray(0, 4)), signature: bytes.slice(4) };
    });
  return { origin, treeSize: Number(size), rootHash, text, signatures };
}

export interface VerifierKey {
  name: string;
  keyId: string;
  publicKey: Bytes;
  text: string;
}

/** Parses and checks a log's verifier key: its key id must be the one its name and public key give. */
export function parseVerifierKey(text: string): Promise<VerifierKey> {
  return parseKey(text, ED25519);
}

/** Parses and checks a witness's cosignature/v1 verifier key, as `govledger witness` prints it. */
export function parseWitnessKey(text: string): Promise<VerifierKey> {
  return parseKey(text, COSIGNATURE_V1);
}

async function parseKey(
  text: string,
  algorithm: typeof ED25519 | typeof COSIGNATURE_V1,
): Promise<VerifierKey> {
  // Key names hold no '+', but the base64 key may: only the first two '+' separate fields.
  const [name, keyId, ...key64] = text.trim().split('+');
  let key: Bytes | undefined;
  try {
    key = fromBase64(key64.join('+'));
  } catch {
    // atob's own error names no key; the message below does.
  }
  const what = algorithm === ED25519 ? 'an Ed25519 note verifier key' : 'a cosignature/v1 witness key';
  if (!name || !/^[0-9a-f]{8}$/.test(keyId ?? '') || key?.length !== 33)
    throw new Error(`not ${what} (<name>+<8 hex key id>+<base64 key>): ${text.trim()}`);
  if (key[0] !== algorithm)
    throw new Error(
      `${name}+${keyId} is an algorithm ${key[0]} key, not ${what} (algorithm ${algorithm})` +
        (algorithm === COSIGNATURE_V1 && key[0] === ED25519 ? ': that is a log key, not a witness key' : ''),
    );
  const publicKey = key.slice(1);
  const id = toHex(
    (await sha256(new TextEncoder().encode(`${name}\n`), Uint8Array.of(algorithm), publicKey)).subarray(0, 4),
  );
  if (id !== keyId)
    throw new Error(
      `verifier key ${name}+${keyId} does not match its own public key (its id would be ${id})`,
    );
  return { name, keyId: id, publicKey, text: text.trim() };
}

export type SignatureCheck =
  | { status: 'verified'; key: string }
  | { status: 'invalid'; key: string }
  | { status: 'no-trusted-signature' }
  | { status: 'unsupported'; reason: string };

/** Checks the checkpoint's signature by one of the ledger's keys with WebCrypto's Ed25519, where the browser has it. */
export async function verifyCheckpointSignature(
  checkpoint: Checkpoint,
  keys: readonly VerifierKey[],
): Promise<SignatureCheck> {
  const signature = checkpoint.signatures.find((s) =>
    keys.some((k) => k.name === s.name && k.keyId === s.keyId),
  );
  const key = signature && keys.find((k) => k.name === signature.name && k.keyId === signature.keyId);
  if (!signature || !key) return { status: 'no-trusted-signature' };
  const valid = await ed25519Verify(
    key.publicKey,
    signature.signature,
    new TextEncoder().encode(checkpoint.text),
  );
  if (typeof valid !== 'boolean') return valid;
  return { status: valid ? 'verified' : 'invalid', key: key.text };
}

/** WebCrypto's Ed25519, or why this browser cannot check the signature. */
async function ed25519Verify(
  publicKey: Bytes,
  signature: Bytes,
  message: Bytes,
): Promise<boolean | { status: 'unsupported'; reason: string }> {
  let cryptoKey;
  try {
    cryptoKey = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    return {
      status: 'unsupported',
      reason: `this browser's WebCrypto has no Ed25519 (${(error as Error).name}); check the signature with govledger verify or Go's sumdb/note`,
    };
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, cryptoKey, signature, message);
}

/** Signature lines by none of the given keys (the ledger's and the trusted witnesses'): listed, never checked. */
export function untrustedSignatures(checkpoint: Checkpoint, keys: readonly VerifierKey[]): NoteSignature[] {
  return checkpoint.signatures.filter((s) => !keys.some((k) => k.name === s.name && k.keyId === s.keyId));
}

/** The auditor's witness policy: of these witnesses, at least `threshold` must have cosigned. */
export interface WitnessPolicy {
  witnesses: VerifierKey[];
  threshold: number;
}

/** Bad witness policy input; `field` is the form field at fault, named at the start of the message too. */
export class WitnessInputError extends Error {
  constructor(
    readonly field: 'witnessKeys' | 'witnessThreshold',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the policy as the console's form gives it: witness keys one per line
 * and a threshold, 1 when left empty (as `govledger verify --witness-key`).
 * No keys and no threshold is no policy.
 */
export async function parseWitnessPolicy(
  keysText: string,
  thresholdText: string,
): Promise<WitnessPolicy | undefined> {
  const witnesses: VerifierKey[] = [];
  for (const [index, line] of keysText.split('\n').entries()) {
    if (!line.trim()) continue;
    const where = `Witness keys, line ${index + 1}`;
    const key = await parseWitnessKey(line).catch((error: Error) => {
      throw new WitnessInputError('witnessKeys', `${where}: ${error.message}`);
    });
    if (witnesses.some((w) => w.name === key.name && w.keyId === key.keyId))
      throw new WitnessInputError(
        'witnessKeys',
        `${where}: ${key.name}+${key.keyId} is given twice; each witness counts once`,
      );
    witnesses.push(key);
  }
  const threshold = thresholdText.trim();
  if (witnesses.length === 0) {
    if (!threshold) return undefined;
    throw new WitnessInputError(
      'witnessThreshold',
      'Witness threshold: needs the witnesses it counts; give their keys in Witness keys, one per line',
    );
  }
  if (threshold && !/^[1-9][0-9]*$/.test(threshold))
    throw new WitnessInputError(
      'witnessThreshold',
      `Witness threshold: must be a whole number, 1 or more, got "${threshold}"`,
    );
  const k = threshold ? Number(threshold) : 1;
  if (k > witnesses.length)
    throw new WitnessInputError(
      'witnessThreshold',
      `Witness threshold: ${k} is more than the ${witnesses.length} witness key(s) given, so it could never be met`,
    );
  return { witnesses, threshold: k };
}

/**
 * One trusted witness's cosignature: present and verifying (with the time the
 * witness gave), absent, or present but not verifying (altered or forged).
 */
export type CosignatureCheck = { witness: string } & (
  | { status: 'cosigned'; time: string }
  | { status: 'absent' }
  | { status: 'invalid'; reason: string }
  | { status: 'unsupported'; reason: string }
);

export interface WitnessPolicyCheck {
  witnesses: CosignatureCheck[];
  threshold: number;
  cosigned: number;
  /** At least `threshold` cosigned, and no trusted witness's cosignature failed to verify. */
  met: boolean;
}

/** Applies the policy to a checkpoint, each cosignature checked here as c2sp.org/tlog-cosignature says. */
export async function checkWitnessPolicy(
  checkpoint: Checkpoint,
  { witnesses, threshold }: WitnessPolicy,
): Promise<WitnessPolicyCheck> {
  const checks = await Promise.all(witnesses.map((w) => checkCosignature(checkpoint, w)));
  const cosigned = checks.filter((c) => c.status === 'cosigned').length;
  return {
    witnesses: checks,
    threshold,
    cosigned,
    met: cosigned >= threshold && checks.every((c) => c.status !== 'invalid'),
  };
}

// Date's range ends at 8.64e15 ms; a later time is no time a witness could have signed at.
const LAST_TIME = 8_640_000_000_000n;

async function checkCosignature(checkpoint: Checkpoint, key: VerifierKey): Promise<CosignatureCheck> {
  const witness = `${key.name}+${key.keyId}`;
  // As libs/integrity: the first line by the witness's key is its cosignature.
  const line = checkpoint.signatures.find((s) => s.name === key.name && s.keyId === key.keyId);
  if (!line) return { witness, status: 'absent' };
  // After the key id: the time, 8 bytes big-endian, then the 64-byte signature.
  if (line.signature.length !== 8 + 64)
    return {
      witness,
      status: 'invalid',
      reason: `its cosignature is ${4 + line.signature.length} bytes, not key id, time and signature (76)`,
    };
  const time = new DataView(line.signature.buffer, line.signature.byteOffset, 8).getBigUint64(0);
  if (time > LAST_TIME)
    return { witness, status: 'invalid', reason: `its cosignature has an impossible time ${time}` };
  const valid = await ed25519Verify(
    key.publicKey,
    line.signature.slice(8),
    new TextEncoder().encode(`cosignature/v1\ntime ${time}\n${checkpoint.text}`),
  );
  if (typeof valid !== 'boolean') return { witness, ...valid };
  return valid
    ? { witness, status: 'cosigned', time: new Date(Number(time) * 1000).toISOString() }
    : {
        witness,
        status: 'invalid',
        reason: 'its cosignature does not verify: the checkpoint was altered or the cosignature forged',
      };
}
