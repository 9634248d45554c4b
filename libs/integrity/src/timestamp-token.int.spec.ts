import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opensslVerifies, startOpensslTsa, type OpensslTsa } from '../../../test/support/openssl-tsa';
import { generateNoteKey, noteSigner } from './note-keys';
import { signCheckpoint } from './checkpoint';
import {
  timestampedText,
  timestampFromResponse,
  timestampRequest,
  verifyTimestampToken,
  type StampedTime,
} from './timestamp-token';
import { createHash } from 'node:crypto';

/* RFC 3161 tokens from a real `openssl ts` TSA: ours and openssl's verifiers agree on the genuine token and on altered ones. */

describe('RFC 3161 timestamp tokens over a checkpoint, from openssl ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsa-'));
  let tsa: OpensslTsa;
  let text: Buffer;
  let stamped: StampedTime;
  let anchor: X509Certificate;

  const stamp = async (data: Buffer) => {
    const request = timestampRequest(data);
    const response = await fetch(tsa.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: request.der,
    });
    return timestampFromResponse(Buffer.from(await response.arrayBuffer()), request);
  };

  beforeAll(async () => {
    tsa = await startOpensslTsa(join(dir, 'tsa'));
    anchor = new X509Certificate(tsa.caPem);
    const note = signCheckpoint(
      { origin: 'ledger.example/tsa', size: 7, rootHash: createHash('sha256').update('root').digest() },
      noteSigner(generateNoteKey('ledger.example/tsa').signerKey),
    );
    text = timestampedText(note);
    stamped = await stamp(text);
  });
  afterAll(async () => {
    await tsa.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const digest = (data: Buffer) => createHash('sha256').update(data).digest();

  it('stamps the signed text only, so added signature lines keep the token valid', () => {
    expect(text.toString()).toMatch(/^ledger\.example\/tsa\n7\n[A-Za-z0-9+/=]{44}\n$/);
  });

  it('gets a token that openssl ts -verify and our verifier both accept, trusting the CA', () => {
    expect(opensslVerifies(dir, text, stamped.token, tsa.caFile)).toBe(true);
    const checked = verifyTimestampToken(stamped.token, { digest: digest(text), anchors: [anchor] });
    expect(checked.tsa).toBe('CN=Test TSA');
    expect(Math.abs(Date.parse(checked.time) - Date.now())).toBeLessThan(120_000);
    // The TSA's own certificate is an anchor too.
    const own = new X509Certificate(readFileSync(tsa.tsaCertFile));
    expect(verifyTimestampToken(stamped.token, { digest: digest(text), anchors: [own] }).time).toBe(
      checked.time,
    );
  });

  it('refuses the token for a checkpoint with one byte changed, as openssl does', () => {
    const altered = Buffer.from(text);
    altered[altered.length - 5] ^= 0x01;
    expect(opensslVerifies(dir, altered, stamped.token, tsa.caFile)).toBe(false);
    expect(() => verifyTimestampToken(stamped.token, { digest: digest(altered) })).toThrow(
      /the token is over sha256 [0-9a-f]{64}, not SHA-256/,
    );
  });

  const at = (needle: Buffer, from = 0) => {
    const found = stamped.token.indexOf(needle, from);
    expect(found).toBeGreaterThan(0);
    return found;
  };
  it.each<[string, () => number, RegExp]>([
    ['the stamped digest', () => at(digest(text)) + 3, /not SHA-256/],
    [
      'the time',
      () => at(Buffer.from(new Date(stamped.time).toISOString().slice(0, 4))) + 3,
      /message digest|malformed/,
    ],
    ['the TSA certificate', () => at(stamped.certificate.raw) + 200, /certificate|signature|malformed/],
    ['the signature', () => stamped.token.length - 3, /signature does not verify|malformed/],
  ])('refuses the token with a flipped byte in %s, as openssl does', (_what, offset, message) => {
    const token = Buffer.from(stamped.token);
    token[offset()] ^= 0x01;
    expect(opensslVerifies(dir, text, token, tsa.caFile)).toBe(false);
    expect(() => verifyTimestampToken(token, { digest: digest(text), anchors: [anchor] })).toThrow(message);
  });

  it('refuses a token from a TSA the given anchor did not issue', async () => {
    const other = await startOpensslTsa(join(dir, 'other'));
    try {
      const foreign = new X509Certificate(other.caPem);
      expect(() => verifyTimestampToken(stamped.token, { digest: digest(text), anchors: [foreign] })).toThrow(
        /is not the trusted one nor issued by it/,
      );
    } finally {
      await other.close();
    }
  });
});
