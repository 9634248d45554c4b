import { timestampedText } from '@ledger/integrity';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { opensslVerifies, startOpensslTsa, type OpensslTsa } from '../support/openssl-tsa';
import type { TestApi } from '../support/ledger-api';
import { govledger, ledgerEnv, offlineEnv, scratchDir, seededLedger, settled } from './evidence-fixture';

/*
 * Issue 18, part 5: with LEDGER_TSA_URL set, checkpoints get RFC 3161 tokens
 * from a real `openssl ts` authority; one that is down at first delays the
 * stamp but never the sealing; the bundle carries the token, and both
 * `openssl ts -verify` and `govledger verify-bundle --tsa-cert` accept it.
 */

describe('trusted time: checkpoint timestamp tokens from an openssl ts authority', () => {
  const dir = scratchDir();
  const unpacked = join(dir, 'unpacked');
  let tsa: OpensslTsa;
  let api: TestApi;
  let metrics: string;
  let vkey: string;

  beforeAll(async () => {
    tsa = await startOpensslTsa(join(dir, 'tsa'));
    // The authority is down for the first two requests: sealing goes on, the stamp comes later.
    tsa.failNext = 2;
    api = (await seededLedger('sqlite', 20, { LEDGER_TSA_URL: tsa.url })).api;
    vkey = (await (await fetch(`${api.url}/v1/keys`)).text()).trim();
    await settled(api, { stamped: true });
    const run = await govledger(
      ['export', '--system', 'sepsis-predictor', '--out', join(dir, 'bundle.tar.gz'), '--actor', 'ops.olga'],
      ledgerEnv(api),
    );
    if (run.code !== 0) throw new Error(`export failed: ${run.stderr}`);
    const token = await api.token('auditor.amy', 'auditor');
    metrics = await (
      await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    mkdirSync(unpacked);
    spawnSync('tar', ['xzf', join(dir, 'bundle.tar.gz'), '-C', unpacked]);
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await tsa?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps sealing while the authority is down, counts the failures, and stamps once it answers', () => {
    const failed = /ledger_timestamp_requests_total\{result="failed"\} (\d+)\n/.exec(metrics)?.[1];
    expect(Number(failed)).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/ledger_timestamp_requests_total\{result="stamped"\} [1-9]\d*\n/);
    expect(tsa.served).toBeGreaterThan(2);
  });

  it("the bundle's token passes openssl ts -verify over the checkpoint's signed text, trusting the CA", () => {
    const token = readFileSync(join(unpacked, 'checkpoint.tst'));
    const text = timestampedText(readFileSync(join(unpacked, 'checkpoint.note')));
    expect(opensslVerifies(dir, text, token, tsa.caFile)).toBe(true);
    const flipped = Buffer.from(text);
    flipped[flipped.length - 3] ^= 0x01;
    expect(opensslVerifies(dir, flipped, token, tsa.caFile)).toBe(false);
  });

  it('verify-bundle checks the token against the checkpoint and the --tsa-cert anchor', async () => {
    const bundle = join(dir, 'bundle.tar.gz');
    const anchored = await govledger(
      ['verify-bundle', bundle, '--trusted-key', vkey, '--tsa-cert', tsa.caFile],
      offlineEnv(),
    );
    expect(anchored.stdout).toMatch(/^PASS: /);
    expect(anchored.stdout).toMatch(
      /the checkpoint existed at \S+Z, attested by CN=Test TSA, whose certificate chains to --tsa-cert/,
    );
    // A CA that did not issue this authority's certificate is not an anchor for it.
    const stranger = await startOpensslTsa(join(dir, 'stranger'));
    await stranger.close();
    const foreign = await govledger(
      ['verify-bundle', bundle, '--trusted-key', vkey, '--tsa-cert', stranger.caFile],
      offlineEnv(),
    );
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain(
      'FAIL: checkpoint.tst: the timestamp token does not attest this checkpoint',
    );
  });

  it('a bundle without a token fails when an authority is trusted', async () => {
    writeFileSync(join(dir, 'no-token.pem'), readFileSync(tsa.caFile));
    const { api: plain } = await seededLedger('sqlite', 0);
    try {
      const plainKey = (await (await fetch(`${plain.url}/v1/keys`)).text()).trim();
      const out = join(dir, 'plain.tar.gz');
      const run = await govledger(
        ['export', '--system', 'sepsis-predictor', '--out', out, '--actor', 'ops.olga'],
        ledgerEnv(plain),
      );
      expect(run.code).toBe(0);
      const verified = await govledger(
        ['verify-bundle', out, '--trusted-key', plainKey, '--tsa-cert', join(dir, 'no-token.pem')],
        offlineEnv(),
      );
      expect(verified.stdout).toContain(
        'FAIL: checkpoint.tst: a timestamp authority is trusted (--tsa-cert)',
      );
      const without = await govledger(['verify-bundle', out, '--trusted-key', plainKey], offlineEnv());
      expect(without.stdout).toContain('no timestamp token for the checkpoint');
    } finally {
      await plain.close();
    }
  }, 120_000);
});
