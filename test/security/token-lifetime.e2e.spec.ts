import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, spawnTs } from '../support/child-process';
import { startTestApi, type TestApi } from '../support/ledger-api';

const YEAR = 365 * 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with `key` as the ledger's default issuer and audience, with exactly the times given. */
async function signed(key: JWK, times: { iat?: number; exp: number }, kid = key.kid): Promise<string> {
  const jwt = new SignJWT({ role: 'emitter', tenant: 'default' })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject('ehr-gateway')
    .setIssuer('govledger-local')
    .setAudience('govledger')
    .setExpirationTime(times.exp);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  return jwt.sign(await importJWK(key, 'EdDSA'));
}

async function newKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' };
}

const publicJwks = (...keys: JWK[]) => JSON.stringify({ keys: keys.map(({ d: _d, ...pub }) => pub) });

async function status(api: TestApi, token: string): Promise<{ status: number; message?: string }> {
  // An empty batch: authenticated, it is refused as a bad request (400); otherwise 401.
  const response = await fetch(`${api.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{"events":[]}',
  });
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  return { status: response.status, message: body.error?.message };
}

/** Past the verifier's look at its key file (once a second). */
const afterKeyFileCheck = () => new Promise((resolve) => setTimeout(resolve, 1200));

describe('tokens that live forever, and keys that outlive their file', () => {
  describe('on the embedded default', () => {
    let api: TestApi;
    let key: JWK;
    beforeAll(async () => {
      api = await startTestApi('sqlite');
      key = JSON.parse(readFileSync(join(api.dataDir, 'keys', 'token-issuer.jwk'), 'utf8')) as JWK;
    });
    afterAll(() => api.close());

    it('refuses a token with a 100-year exp, saying how long it lives and what is allowed, and still accepts one that lives a day', async () => {
      const answer = await status(api, await signed(key, { iat: now(), exp: now() + 100 * YEAR }));
      expect(answer.status).toBe(401);
      expect(answer.message).toBe(
        `the token lives ${100 * YEAR} s (from its iat to its exp), longer than the 86400 s this ledger accepts; get a shorter-lived token`,
      );
      const iat = now();
      expect((await status(api, await signed(key, { iat, exp: iat + 24 * 3600 }))).status).not.toBe(401);
    });

    it('counts a token without iat from now', async () => {
      const answer = await status(api, await signed(key, { exp: now() + 2 * 24 * 3600 }));
      expect(answer.status).toBe(401);
      expect(answer.message).toContain('(from now to its exp)');
    });

    it('stops accepting tokens of the local issuer key once its file is replaced, without a restart', async () => {
      const file = join(api.dataDir, 'keys', 'token-issuer.jwk');
      const before = await signed(key, { iat: now(), exp: now() + 600 });
      expect((await status(api, before)).status).not.toBe(401);
      const replacement = await newKey('local-replaced');
      writeFileSync(file, JSON.stringify(replacement), { mode: 0o600 });
      await afterKeyFileCheck();
      expect(await status(api, before)).toEqual({
        status: 401,
        // The key it names and the key expected instead: a fresh token from the old key would be refused again.
        message: `the token was not signed by a key this ledger trusts: it names key ${String(key.kid)} of issuer govledger-local, and this ledger expects tokens of issuer govledger-local signed by key local-replaced; get a token from this ledger's issuer, not another ledger's`,
      });
      expect(
        (await status(api, await signed(replacement, { iat: now(), exp: now() + 600 }))).status,
      ).not.toBe(401);
      writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
    });
  });

  it('refuses what AUTH_MAX_TOKEN_LIFETIME_SECONDS does not allow', async () => {
    const api = await startTestApi('sqlite', { AUTH_MAX_TOKEN_LIFETIME_SECONDS: '3600' });
    try {
      const key = JSON.parse(readFileSync(join(api.dataDir, 'keys', 'token-issuer.jwk'), 'utf8')) as JWK;
      const iat = now();
      expect((await status(api, await signed(key, { iat, exp: iat + 7200 }))).status).toBe(401);
      expect((await status(api, await signed(key, { iat, exp: iat + 1800 }))).status).not.toBe(401);
    } finally {
      await api.close();
    }
  });

  it('stops accepting the tokens of a key whose AUTH_JWKS_FILE is removed while the service runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-jwks-'));
    const file = join(dir, 'jwks.json');
    const first = await newKey('idp-1');
    writeFileSync(file, publicJwks(first));
    const api = await startTestApi('sqlite', { AUTH_JWKS_FILE: file });
    try {
      const token = await signed(first, { iat: now(), exp: now() + 600 });
      expect((await status(api, token)).status).not.toBe(401);
      rmSync(file);
      await afterKeyFileCheck();
      expect(await status(api, token)).toEqual({
        status: 401,
        message: expect.stringContaining(
          'it names key idp-1 of issuer govledger-local, and this ledger expects tokens of issuer govledger-local signed by no key at present',
        ),
      });
      const second = await newKey('idp-2');
      writeFileSync(file, publicJwks(second));
      await afterKeyFileCheck();
      expect((await status(api, await signed(second, { iat: now(), exp: now() + 600 }))).status).not.toBe(
        401,
      );
      expect((await status(api, token)).status).toBe(401);
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`govledger token` refuses a --ttl above AUTH_MAX_TOKEN_LIFETIME_SECONDS, rather than issue a token the ledger refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-cli-token-'));
    try {
      const child = spawnTs(
        'apps/govledger-cli/src/main.ts',
        ['token', '--role', 'emitter', '--tenant', 'default', '--sub', 'ehr-gateway', '--ttl', '7200'],
        { LEDGER_DATA_DIR: dir, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '3600' },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const { code } = await exited(child);
      expect(code).not.toBe(0);
      expect(stdout).toBe('');
      expect(stderr).toContain('--ttl must be a whole number of seconds from 1 to 3600');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
