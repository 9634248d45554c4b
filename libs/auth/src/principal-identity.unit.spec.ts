import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { TokenVerifier } from './token-verifier';

/** Issue 14, path 1: people are identified by the token subject, normalised once, here, before any comparison. */
describe('the principal a token names', () => {
  let sign: (claims: JWTPayload) => Promise<string>;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
    verifier = new TokenVerifier({
      issuer: 'https://ledger.test',
      audience: 'ledger',
      maxLifetimeSeconds: 24 * 3600,
      keys: { keys: [jwk] },
    });
    sign = (claims) =>
      new SignJWT({ role: 'governance-admin', tenant: 'st-mary', ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
        .setIssuer('https://ledger.test')
        .setAudience('ledger')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
  });

  const idOf = async (sub: string) => (await verifier.verify(await sign({ sub }))).id;

  it('is one person however the subject is cased or padded: Rev.Same and rev.same are one reviewer', async () => {
    expect(await idOf('Rev.Same')).toBe('rev.same');
    expect(await idOf(' rev.same ')).toBe('rev.same');
    expect(await idOf('REV.SAME')).toBe('rev.same');
  });

  it('is one person whether an accent arrives composed or decomposed', async () => {
    expect(await idOf('jos\u00e9@clinic.example')).toBe('jos\u00e9@clinic.example');
    expect(await idOf('Jose\u0301@Clinic.Example')).toBe('jos\u00e9@clinic.example');
  });

  it('keeps different subjects apart', async () =>
    expect(await idOf('rev.same')).not.toBe(await idOf('rev.sam')));

  it('normalises the person acted for, too', async () => {
    const principal = await verifier.verify(await sign({ sub: 'svc.ehr', act: { sub: 'Dr.Ada' } }));
    expect(principal.onBehalfOf).toBe('dr.ada');
  });

  it.each([
    ['blank once trimmed', '   '],
    ['with a space inside', 'rev same'],
    ['with a zero-width character', 'rev\u200b.same'],
    ['longer than 128 characters', 'a'.repeat(129)],
  ])('refuses a subject %s', async (_, sub) =>
    expect(verifier.verify(await sign({ sub }))).rejects.toThrow('the token subject (sub) must be'),
  );
});
