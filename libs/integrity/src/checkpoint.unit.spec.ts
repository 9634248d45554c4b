import { Buffer } from 'node:buffer';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint';
import { IntegrityError, IntegrityErrorCode } from './integrity-error';
import { InMemoryMerkleLog } from './in-memory-merkle-log';
import { eventLeafHash, hashToBase64 } from './merkle-hash';
import { generateNoteKey, noteSigner, noteVerifier } from './note-keys';
import { verifyNote } from './signed-note';

function refusal(check: () => unknown): IntegrityErrorCode | 'accepted' {
  try {
    check();
    return 'accepted';
  } catch (error) {
    if (error instanceof IntegrityError) return error.code;
    throw error;
  }
}

const ORIGIN = 'ledger.example/north-hospital';
const log = new InMemoryMerkleLog();
for (let i = 0; i < 10; i++) log.append(eventLeafHash(i.toString(16).padStart(64, '0')));

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  const key = generateNoteKey(ORIGIN);
  const signer = noteSigner(key.signerKey);
  const verifier = noteVerifier(key.verifierKey);

  it('signs origin, tree size and base64 root, a blank line, then one signature line', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 10, rootHash: log.root() }, signer);
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual([ORIGIN, '10', hashToBase64(log.root()), '']);
    expect(lines[4]).toMatch(new RegExp(`^\u2014 ${ORIGIN.replace('.', '\\.')} [A-Za-z0-9+/]{91}=$`));
    expect(lines[5]).toBe('');
  });

  it('opens a checkpoint to the origin, size and root that were signed', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 10, rootHash: log.root() }, signer);
    const opened = openCheckpoint(note, [verifier], ORIGIN);
    expect(opened).toMatchObject({ origin: ORIGIN, size: 10, rootHash: log.root(), extensions: [] });
    expect(opened.signatures.map((s) => s.keyId)).toEqual([verifier.keyId]);
  });

  it('reads the example checkpoint of the C2SP spec', () => {
    expect(
      parseCheckpoint(
        'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      ),
    ).toMatchObject({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      rootHash: new Uint8Array(Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64')),
    });
  });

  it('keeps extension lines inside the signed text', () => {
    const note = signCheckpoint(
      { origin: ORIGIN, size: 10, rootHash: log.root(), extensions: ['sealed-by sealer-1'] },
      signer,
    );
    expect(openCheckpoint(note, [verifier]).extensions).toEqual(['sealed-by sealer-1']);
    expect(refusal(() => openCheckpoint(note.replace('sealer-1', 'sealer-2'), [verifier]))).toBe(
      'INVALID_SIGNATURE',
    );
  });

  it('refuses a checkpoint whose size, root or origin was edited after signing', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 10, rootHash: log.root() }, signer);
    expect(refusal(() => openCheckpoint(note.replace('\n10\n', '\n11\n'), [verifier]))).toBe(
      'INVALID_SIGNATURE',
    );
    expect(
      refusal(() =>
        openCheckpoint(note.replace(hashToBase64(log.root()), hashToBase64(log.root(9))), [verifier]),
      ),
    ).toBe('INVALID_SIGNATURE');
    expect(refusal(() => openCheckpoint(note.replace('north', 'south'), [verifier]))).toBe(
      'INVALID_SIGNATURE',
    );
  });

  it('refuses a validly signed checkpoint of another log when the caller names its own', () => {
    const note = signCheckpoint(
      { origin: 'ledger.example/south-hospital', size: 10, rootHash: log.root() },
      signer,
    );
    expect(refusal(() => openCheckpoint(note, [verifier], ORIGIN))).toBe('ORIGIN_MISMATCH');
  });

  it('refuses a checkpoint signed by a key the caller does not trust', () => {
    const stranger = noteSigner(generateNoteKey(ORIGIN).signerKey);
    const note = signCheckpoint({ origin: ORIGIN, size: 10, rootHash: log.root() }, stranger);
    expect(refusal(() => openCheckpoint(note, [verifier]))).toBe('UNVERIFIED_NOTE');
  });

  describe('key rotation', () => {
    const oldKey = generateNoteKey(ORIGIN);
    const newKey = generateNoteKey(ORIGIN);
    const published = [noteVerifier(oldKey.verifierKey), noteVerifier(newKey.verifierKey)];
    const before = signCheckpoint(
      { origin: ORIGIN, size: 5, rootHash: log.root(5) },
      noteSigner(oldKey.signerKey),
    );
    const after = signCheckpoint(
      { origin: ORIGIN, size: 10, rootHash: log.root(10) },
      noteSigner(newKey.signerKey),
    );

    it('names the new key in new checkpoints while old checkpoints still verify with the published old key', () => {
      expect(openCheckpoint(before, published).signatures[0].keyId).toBe(published[0].keyId);
      expect(openCheckpoint(after, published).signatures[0].keyId).toBe(published[1].keyId);
      expect(openCheckpoint(before, [published[0]]).size).toBe(5);
    });

    it('does not let a verifier who knows only the old key accept checkpoints by the new one', () => {
      expect(refusal(() => openCheckpoint(after, [published[0]]))).toBe('UNVERIFIED_NOTE');
    });

    it('can sign with both keys during the hand-over, so either key alone verifies', () => {
      const both = signCheckpoint({ origin: ORIGIN, size: 10, rootHash: log.root() }, [
        noteSigner(oldKey.signerKey),
        noteSigner(newKey.signerKey),
      ]);
      expect(openCheckpoint(both, [published[0]]).size).toBe(10);
      expect(openCheckpoint(both, [published[1]]).size).toBe(10);
      expect(verifyNote(both, published).signatures).toHaveLength(2);
    });
  });

  it.each([
    ['no final newline', `${ORIGIN}\n10\n${hashToBase64(log.root())}`],
    ['only two lines', `${ORIGIN}\n10\n`],
    ['an empty origin', `\n10\n${hashToBase64(log.root())}\n`],
    ['a size with a leading zero', `${ORIGIN}\n010\n${hashToBase64(log.root())}\n`],
    ['a negative size', `${ORIGIN}\n-1\n${hashToBase64(log.root())}\n`],
    ['a size past 2^53', `${ORIGIN}\n9007199254740993\n${hashToBase64(log.root())}\n`],
    ['a root of 31 bytes', `${ORIGIN}\n10\n${Buffer.from(log.root().subarray(0, 31)).toString('base64')}\n`],
    ['a root in hex', `${ORIGIN}\n10\n${Buffer.from(log.root()).toString('hex')}\n`],
    [
      'a root with non-canonical base64 padding bits',
      `${ORIGIN}\n10\n${hashToBase64(log.root()).slice(0, 42)}B=\n`,
    ],
    ['an empty extension line', `${ORIGIN}\n10\n${hashToBase64(log.root())}\n\nextension\n`],
  ])('refuses checkpoint text with %s', (_, text) => {
    expect(refusal(() => parseCheckpoint(text))).toBe('MALFORMED_CHECKPOINT');
  });

  it('refuses to format a checkpoint it could not read back', () => {
    expect(refusal(() => formatCheckpoint({ origin: 'two\nlines', size: 1, rootHash: log.root() }))).toBe(
      'MALFORMED_CHECKPOINT',
    );
    expect(refusal(() => formatCheckpoint({ origin: ORIGIN, size: -1, rootHash: log.root() }))).toBe(
      'OUT_OF_RANGE',
    );
    expect(refusal(() => formatCheckpoint({ origin: ORIGIN, size: 1, rootHash: new Uint8Array(31) }))).toBe(
      'MALFORMED_HASH',
    );
    expect(
      refusal(() => formatCheckpoint({ origin: ORIGIN, size: 1, rootHash: log.root(), extensions: [''] })),
    ).toBe('MALFORMED_CHECKPOINT');
  });
});
