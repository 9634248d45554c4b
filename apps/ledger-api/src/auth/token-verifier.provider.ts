import { LocalIssuer, TokenVerifier } from '@ledger/auth';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerConfig } from '@ledger/runtime';

/**
 * The keys tokens must be signed with: the identity provider's JWKS
 * (AUTH_JWKS_URL), a JWKS file (AUTH_JWKS_FILE), or, on the embedded default,
 * the local issuer's key in the data directory. The local issuer is off
 * whenever AUTH_JWKS_URL is set.
 */
export async function tokenVerifierFor(config: LedgerConfig): Promise<TokenVerifier> {
  const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = config;
  if (config.AUTH_JWKS_URL)
    return new TokenVerifier({ issuer, audience, keys: new URL(config.AUTH_JWKS_URL) });
  if (config.AUTH_JWKS_FILE)
    return new TokenVerifier({
      issuer,
      audience,
      keys: JSON.parse(readFileSync(config.AUTH_JWKS_FILE, 'utf8')),
    });
  const local = await LocalIssuer.open(join(config.LEDGER_DATA_DIR, 'keys'), issuer, audience);
  return new TokenVerifier({ issuer, audience, keys: local.jwks() });
}
