import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { signCheckpoint } from './checkpoint';
import { cosign, verifyCosignatures } from './cosignature';
import { IntegrityError } from './integrity-error';
import {
  cosignatureSigner,
  cosignatureVerifier,
  generateCosignatureKey,
  generateNoteKey,
  noteSigner,
  noteVerifier,
} from './note-keys';
import { verifyNote } from './signed-note';

const log = generateNoteKey('ledger.example/log');
const witness = generateCosignatureKey('witness.example/w1');
const note = signCheckpoint(
  { origin: 'ledger.example/log', size: 7, rootHash: new Uint8Array(32).fill(9) },
  noteSigner(log.signerKey),
);
const text = note.slice(0, note.lastIndexOf('\n\n') + 1);

describe('cosignature/v1 (c2sp.org/tlog-cosignature)', () => {
  it('derives the key id over algorithm 0x04, so a witness key is never a log key', () => {
    const [, keyIdHex, base64] =
      /^witness\.example\/w1\+([0-9a-f]{8})\+(.+)$/.exec(witness.verifierKey) ?? [];
    const publicKey = Buffer.from(base64, 'base64');
    expect(publicKey[0]).toBe(0x04);
    const expected = createHash('sha256').update('witness.example/w1\n').update(publicKey).digest();
    expect(keyIdHex).toBe(expected.subarray(0, 4).toString('hex'));
    expect(() => noteVerifier(witness.verifierKey)).toThrow(/algorithm 4/);
    expect(() => cosignatureVerifier(log.verifierKey)).toThrow(/cosignature\/v1 key \(4\)/);
  });

  it('signs "cosignature/v1\\ntime <t>\\n" and the note text, as an independent Ed25519 check confirms', () => {
    const line = cosign(text, cosignatureSigner(witness.signerKey), 1_700_000_000);
    const bytes = Buffer.from(line.trimEnd().split(' ')[2], 'base64');
    expect(bytes).toHaveLength(76);
    expect(bytes.readBigUInt64BE(4)).toBe(1_700_000_000n);
    const publicKey = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(witness.verifierKey.split('+').slice(2).join('+'), 'base64')
          .subarray(1)
          .toString('base64url'),
      },
      format: 'jwk',
    });
    const message = Buffer.from(`cosignature/v1\ntime 1700000000\n${text}`);
    expect(verify(null, message, publicKey, bytes.subarray(12))).toBe(true);
  });

  it('reads the cosignatures of given witnesses, ignores others, and leaves the log signature to verifyNote', () => {
    const other = generateCosignatureKey('witness.example/w2');
    const cosigned =
      note +
      cosign(text, cosignatureSigner(witness.signerKey), 1_700_000_000) +
      cosign(text, cosignatureSigner(other.signerKey), 1_700_000_001);
    expect(verifyCosignatures(cosigned, [cosignatureVerifier(witness.verifierKey)])).toEqual([
      expect.objectContaining({ name: 'witness.example/w1', timestamp: 1_700_000_000 }),
    ]);
    expect(verifyCosignatures(note, [cosignatureVerifier(witness.verifierKey)])).toEqual([]);
    // The log's own check is unchanged by the extra lines: they are unknown keys to it.
    expect(verifyNote(cosigned, [noteVerifier(log.verifierKey)]).unverifiedSignatures).toHaveLength(2);
  });

  it.each([
    ['an altered checkpoint', (line: string) => note.replace('\n7\n', '\n8\n') + line],
    ['an altered time', (line: string) => note + retime(line)],
  ])('refuses %s under a witness cosignature', (_, tamper) => {
    const line = cosign(text, cosignatureSigner(witness.signerKey), 1_700_000_000);
    expect(() => verifyCosignatures(tamper(line), [cosignatureVerifier(witness.verifierKey)])).toThrow(
      IntegrityError,
    );
  });
});

/** The same line with its timestamp one second later. */
function retime(line: string): string {
  const [dash, name, base64] = line.trimEnd().split(' ');
  const bytes = Buffer.from(base64, 'base64');
  bytes.writeBigUInt64BE(bytes.readBigUInt64BE(4) + 1n, 4);
  return `${dash} ${name} ${bytes.toString('base64')}\n`;
}
