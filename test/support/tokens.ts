import { LOCAL_ISSUER_FILE } from '@ledger/auth';
import { importJWK, SignJWT, type JWK } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Tokens a well-behaved issuer would never mint: for tests that prove the API refuses them. */
export async function forgedTokens(dataDir: string): Promise<Record<string, string>> {
  const jwk = JSON.parse(readFileSync(join(dataDir, 'keys', LOCAL_ISSUER_FILE), 'utf8')) as JWK;
  const key = await importJWK(jwk, 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  const sign = (
    claims: Record<string, unknown>,
    iss = 'govledger-local',
    aud = 'govledger',
    exp = now + 600,
  ) =>
    new SignJWT({ role: 'auditor', tenant: 'default', ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid })
      .setSubject('mallory')
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt(now - 3600)
      .setExpirationTime(exp)
      .sign(key);
  const valid = await sign({});
  const [header, payload, signature] = valid.split('.');
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const flipped = signature[0] === 'A' ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return {
    expired: await sign({}, 'govledger-local', 'govledger', now - 120),
    'wrong issuer': await sign({}, 'https://evil.example'),
    'wrong audience': await sign({}, 'govledger-local', 'another-service'),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    'tampered signature': `${header}.${payload}.${flipped}`,
    'tampered claims': `${header}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'governance-admin' })}.${signature}`,
  };
}
