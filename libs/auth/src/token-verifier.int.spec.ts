import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIssuer } from './local-issuer';
import { TokenVerifier } from './token-verifier';

describe('TokenVerifier remembering verified tokens', () => {
  let dir: string;
  let issuer: LocalIssuer;
  let now: number;
  let verifier: TokenVerifier;
  const emitter = { id: 'ehr-gateway', role: 'emitter' as const, tenantId: 'st-mary' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-verifier-'));
    issuer = await LocalIssuer.open(dir, 'https://ledger.test', 'ledger');
    now = Date.now();
    verifier = new TokenVerifier({
      issuer: 'https://ledger.test',
      audience: 'ledger',
      maxLifetimeSeconds: 24 * 3600,
      keys: issuer.jwks(),
      clock: () => now,
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a token it has verified from memory, with the same principal', async () => {
    const token = await issuer.issue(emitter, 600);
    const first = await verifier.verify(token);
    expect(first).toMatchObject({ id: 'ehr-gateway', role: 'emitter', tenantId: 'st-mary' });
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('still refuses a remembered token once it has expired', async () => {
    const token = await issuer.issue(emitter, 5);
    await verifier.verify(token);
    now += 5_000 + 31_000; // past its expiry and the clock tolerance
    await expect(verifier.verify(token)).rejects.toThrow('the token has expired; get a new one');
  });

  it('checks the signature again after a minute', async () => {
    const token = await issuer.issue(emitter, 3600);
    const first = await verifier.verify(token);
    now += 61_000;
    const again = await verifier.verify(token);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it('remembers nothing for a token whose signature was altered, even when its claims match a remembered one', async () => {
    const token = await issuer.issue(emitter, 600);
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(verifier.verify(forged)).rejects.toThrow('the token signature does not verify');
  });
});
