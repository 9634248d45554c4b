import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { IntegrityError, IntegrityErrorCode } from './integrity-error';
import { generateNoteKey, noteSigner, noteVerifier } from './note-keys';
import { signNote, verifyNote } from './signed-note';

/*
 * Vectors from Go's golang.org/x/mod/sumdb/note (package doc and note_test.go):
 * keys, signatures and malformed notes made by the implementation the
 * transparency-log ecosystem verifies with. Data only.
 */
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

function refusal(check: () => unknown): IntegrityErrorCode | 'accepted' {
  try {
    check();
    return 'accepted';
  } catch (error) {
    if (error instanceof IntegrityError) return error.code;
    throw error;
  }
}

describe('note keys in Go sumdb/note format', () => {
  it("reads Go's signer key and derives exactly Go's verifier key and key id", () => {
    const signer = noteSigner(PETER_SKEY);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(signer.verifierKey).toBe(PETER_VKEY);
  });

  it('generates key pairs whose halves belong together and whose ids follow the C2SP rule', () => {
    const { signerKey, verifierKey } = generateNoteKey('ledger.example/north');
    expect(signerKey).toMatch(/^PRIVATE\+KEY\+ledger\.example\/north\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(noteSigner(signerKey).verifierKey).toBe(verifierKey);
    const [, keyIdHex, publicKeyBase64] =
      /^ledger\.example\/north\+([0-9a-f]{8})\+(.+)$/.exec(verifierKey) ?? [];
    const publicKey = Buffer.from(publicKeyBase64, 'base64');
    expect(publicKey[0]).toBe(0x01);
    const expectedId = createHash('sha256')
      .update('ledger.example/north\n')
      .update(publicKey)
      .digest()
      .subarray(0, 4)
      .toString('hex');
    expect(keyIdHex).toBe(expectedId);
    expect(noteVerifier(verifierKey).keyId).toBe(Number.parseInt(expectedId, 16));
    expect(generateNoteKey('ledger.example/north').verifierKey).not.toBe(verifierKey);
  });

  it.each([
    ['a key hash that does not match the key', PETER_VKEY.replace('c74f20a3', 'c74f20a4')],
    [
      'a wrong-length key (Go test vector)',
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
    ],
    [
      'an unknown algorithm (Go test vector)',
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ],
    [
      'a key id that is not 8 hex digits',
      'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ],
    ['a name with a space', 'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['an empty name', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['key bytes that are not base64', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!'],
    ['a signer key given where a verifier key belongs', PETER_SKEY],
  ])('refuses a verifier key with %s', (_, vkey) => {
    expect(refusal(() => noteVerifier(vkey))).toBe('MALFORMED_KEY');
  });

  it('refuses a signer key that lacks its PRIVATE+KEY prefix or names the wrong key id', () => {
    expect(refusal(() => noteSigner(PETER_VKEY))).toBe('MALFORMED_KEY');
    expect(refusal(() => noteSigner(PETER_SKEY.replace('c74f20a3', '00000000')))).toBe('MALFORMED_KEY');
  });
});

describe('signing a note', () => {
  it("produces byte for byte the note Go's note.Sign produces with the same key", () => {
    expect(signNote(TEXT, [noteSigner(PETER_SKEY)])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('refuses text that does not end in a newline or holds control characters, and an empty signer list', () => {
    expect(refusal(() => signNote('no newline', [noteSigner(PETER_SKEY)]))).toBe('MALFORMED_NOTE');
    expect(refusal(() => signNote('tab\there\n', [noteSigner(PETER_SKEY)]))).toBe('MALFORMED_NOTE');
    expect(refusal(() => signNote(TEXT, []))).toBe('MALFORMED_NOTE');
  });
});

describe('verifying a note', () => {
  const peter = noteVerifier(PETER_VKEY);
  const enoch = noteVerifier(ENOCH_VKEY);

  it("opens Go's signed note and reports who signed it", () => {
    const note = verifyNote(`${TEXT}\n${PETER_SIG}`, [peter]);
    expect(note.text).toBe(TEXT);
    expect(note.signatures).toEqual([
      { name: 'PeterNeumann', keyId: 0xc74f20a3, base64: PETER_SIG.slice(15, -1) },
    ]);
  });

  it('accepts UTF-8 bytes as well as text', () => {
    expect(verifyNote(new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`), [peter]).text).toBe(TEXT);
  });

  it('carries signatures by keys it does not trust without trusting them', () => {
    const note = verifyNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]);
    expect(note.signatures.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(note.unverifiedSignatures.map((s) => s.name)).toEqual(['EnochRoot']);
    expect(
      verifyNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch]).signatures.map((s) => s.name),
    ).toEqual(['PeterNeumann', 'EnochRoot']);
  });

  it('refuses a note that no trusted key signed, naming the keys it found and the keys it trusts', () => {
    expect(refusal(() => verifyNote(`${TEXT}\n${ENOCH_SIG}`, [peter]))).toBe('UNVERIFIED_NOTE');
    expect(() => verifyNote(`${TEXT}\n${ENOCH_SIG}`, [peter])).toThrow(
      /signed by EnochRoot\+af0cfe78.*trusted keys are PeterNeumann\+c74f20a3/,
    );
    expect(refusal(() => verifyNote(`${TEXT}\n${PETER_SIG}`, []))).toBe('UNVERIFIED_NOTE');
  });

  it('refuses the whole note when one trusted signature is forged, even beside a good one', () => {
    const forged = PETER_SIG.slice(0, 60) + 'ABCD' + PETER_SIG.slice(64);
    expect(refusal(() => verifyNote(`${TEXT}\n${forged}`, [peter]))).toBe('INVALID_SIGNATURE');
    expect(refusal(() => verifyNote(`${TEXT}\n${ENOCH_SIG.replace('rwz+', 'rwz-')}`, [peter]))).toBe(
      'MALFORMED_NOTE',
    );
    const otherKey = noteSigner(generateNoteKey('PeterNeumann').signerKey);
    const sameIdForgery = signNote(TEXT, [{ ...otherKey, keyId: 0xc74f20a3 }]);
    expect(refusal(() => verifyNote(sameIdForgery, [peter]))).toBe('INVALID_SIGNATURE');
  });

  it('refuses any change to the text, however small', () => {
    const note = `${TEXT}\n${PETER_SIG}`;
    for (let i = 0; i < TEXT.length; i++) {
      const changed = note.slice(0, i) + String.fromCharCode(note.charCodeAt(i) + 1) + note.slice(i + 1);
      expect(refusal(() => verifyNote(changed, [peter]))).not.toBe('accepted');
    }
  });

  it("ignores repeated signatures, as Go does, and refuses more than Go's 100 signature lines", () => {
    expect(verifyNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, [peter]).signatures).toHaveLength(1);
    expect(refusal(() => verifyNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter]))).toBe('MALFORMED_NOTE');
  });

  it.each([
    ['text without signatures', TEXT],
    ['text and a blank line, no signatures', `${TEXT}\n`],
    ['a signature line without its final newline', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ['a control character', `\u0001${TEXT}\n${PETER_SIG}`],
    ['a lone surrogate', `\ud800${TEXT}\n${PETER_SIG}`],
    [
      'a key name with a space',
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    ],
    ['a line after the signatures that is not one', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
    ['a hyphen instead of an em dash', `${TEXT}\n${PETER_SIG.replace('—', '-')}`],
    ['a signature too short to hold a key id', `${TEXT}\n— PeterNeumann AAAA\n`],
  ])('refuses a malformed note: %s', (_, note) => {
    expect(refusal(() => verifyNote(note, [peter]))).toBe('MALFORMED_NOTE');
  });

  it('refuses invalid UTF-8 bytes', () => {
    const bytes = new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`);
    expect(refusal(() => verifyNote(Uint8Array.from([0xff, ...bytes]), [peter]))).toBe('MALFORMED_NOTE');
  });

  it('refuses to choose between two different trusted keys with one name and key id', () => {
    const impostor = { ...noteVerifier(generateNoteKey('PeterNeumann').verifierKey), keyId: 0xc74f20a3 };
    expect(refusal(() => verifyNote(`${TEXT}\n${PETER_SIG}`, [peter, impostor]))).toBe('AMBIGUOUS_KEY');
    expect(verifyNote(`${TEXT}\n${PETER_SIG}`, [peter, noteVerifier(PETER_VKEY)]).signatures).toHaveLength(1);
  });
});
