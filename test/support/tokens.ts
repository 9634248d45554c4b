import { LOCAL_ISSUER_FILE } from '@ledger/auth';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ANOTHER_LEDGERS_KEY = "another ledger's key";
export const ANOTHER_LEDGERS_KID = 'local-another-ledger';

/** Tokens a well-behaved issuer would never mint: for tests that prove the API refuses them. */
export async function forgedTokens(dataDir: string): Promise<Record<string, string>> {
  const jwk = JSON.parse(readFileSync(join(dataDir, 'keys', LOCAL_ISSUER_FILE), 'utf8')) as JWK;
  const key = await importJWK(jwk, 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  // Another ledger's embedded issuer: the same issuer name and audience, its own key.
  const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const sign = (
    claims: Record<string, unknown>,
    iss = 'govledger-local',
    aud = 'govledger',
    exp = now + 600,
    signing: { key: Parameters<SignJWT['sign']>[0]; kid?: string } = { key, kid: jwk.kid },
  ) =>
    new SignJWT({ role: 'auditor', tenant: 'default', ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid })
      .setSubject('mallory')
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt(now - 3600)
      .setExpirationTime(exp)
      .sign(signing.key);
  const valid = await sign({});
  const [header, payload, signature] = valid.split('.');
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const flipped = signature[0] === 'A' ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return {
    expired: await sign({}, 'govledger-local', 'govledger', now - 120),
    'wrong issuer': await sign({}, 'https://evil.example'),
    'wrong audience': await sign({}, 'govledger-local', 'another-service'),
    [ANOTHER_LEDGERS_KEY]: await sign({}, undefined, undefined, undefined, {
      key: other.privateKey,
      kid: ANOTHER_LEDGERS_KID,
    }),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    'tampered signature': `${header}.${payload}.${flipped}`,
    'tampered claims': `${header}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'governance-admin' })}.${signature}`,
  };
}
