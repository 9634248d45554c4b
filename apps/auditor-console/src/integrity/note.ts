import { type Bytes, fromBase64, sha256, toHex } from './bytes';

/*
 * C2SP signed notes and checkpoints (c2sp.org/signed-note, tlog-checkpoint),
 * read as Go's sumdb/note reads them: text ending in a newline, a blank line,
 * then "— <key name> <base64(4-byte key id || Ed25519 signature)>" lines.
 * Verifier keys are "<name>+<key id hex>+<base64(0x01 || public key)>".
 */

const SIGNATURE_PREFIX = '\u2014 ';

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

/** Parses and checks a verifier key: its key id must be the one its name and public key give. */
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  // Key names hold no '+', but the base64 key may: only the first two '+' separate fields.
  const [name, keyId, ...key64] = text.trim().split('+');
  const encoded = key64.join('+');
  const key = fromBase64(encoded);
  if (!name || !/^[0-9a-f]{8}$/.test(keyId ?? '') || key.length !== 33 || key[0] !== 1)
    throw new Error(`not an Ed25519 note verifier key: ${text}`);
  const publicKey = key.slice(1);
  const id = toHex(
    (await sha256(new TextEncoder().encode(`${name}\n`), Uint8Array.of(1), publicKey)).subarray(0, 4),
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
  let cryptoKey;
  try {
    cryptoKey = await crypto.subtle.importKey('raw', key.publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    return {
      status: 'unsupported',
      reason: `this browser's WebCrypto has no Ed25519 (${(error as Error).name}); check the signature with govledger verify or Go's sumdb/note`,
    };
  }
  const valid = await crypto.subtle.verify(
    { name: 'Ed25519' },
    cryptoKey,
    signature.signature,
    new TextEncoder().encode(checkpoint.text),
  );
  return { status: valid ? 'verified' : 'invalid', key: key.text };
}

/** Signatures by keys other than the ledger's: witnesses' cosignatures, carried in the note but not checked here. */
export function cosignatures(checkpoint: Checkpoint, keys: readonly VerifierKey[]): NoteSignature[] {
  return checkpoint.signatures.filter((s) => !keys.some((k) => k.name === s.name && k.keyId === s.keyId));
}
