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

/** Issue 21: a provider such as Keycloak names the caller, role and tenant in claims of its own. */
describe('the principal read from renamed claims', () => {
  let sign: (claims: JWTPayload) => Promise<string>;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
    verifier = new TokenVerifier({
      issuer: 'https://sso.test/realms/h',
      audience: 'ledger',
      maxLifetimeSeconds: 24 * 3600,
      keys: { keys: [jwk] },
      claims: {
        subject: 'preferred_username',
        role: 'realm_access.roles',
        tenant: 'https://hospital.example/tenant',
        systems: 'ledger.systems',
        eventTypes: 'ledger.event_types',
      },
    });
    sign = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
        .setIssuer('https://sso.test/realms/h')
        .setAudience('ledger')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
  });

  it('reads the subject, a role among others, a namespaced tenant and nested grants', async () => {
    const principal = await verifier.verify(
      await sign({
        sub: '8f14e45f-ceea-4e1a-9a3b-1c2d3e4f5a6b',
        preferred_username: 'Dana.Regulator',
        realm_access: { roles: ['offline_access', 'regulator'] },
        'https://hospital.example/tenant': 'st-mary',
        ledger: { systems: ['sepsis-watch'] },
      }),
    );
    expect(principal).toEqual({
      id: 'dana.regulator',
      role: 'regulator',
      tenantId: 'st-mary',
      systems: ['sepsis-watch'],
      eventTypes: undefined,
    });
  });

  it('refuses a token without the subject claim, naming it', async () => {
    await expect(
      verifier.verify(
        await sign({
          sub: '8f14e45f-ceea-4e1a-9a3b-1c2d3e4f5a6b',
          realm_access: { roles: ['auditor'] },
          'https://hospital.example/tenant': 'st-mary',
        }),
      ),
    ).rejects.toThrow('the token subject (preferred_username) must be');
  });

  it('refuses a tenant missing from the named claim, naming it', async () => {
    await expect(
      verifier.verify(
        await sign({ preferred_username: 'dana', realm_access: { roles: ['auditor'] }, tenant: 'st-mary' }),
      ),
    ).rejects.toThrow('the token carries no valid tenant in its https://hospital.example/tenant claim');
  });
});
