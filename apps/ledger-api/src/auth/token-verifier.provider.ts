import { LOCAL_ISSUER_FILE, LocalIssuer, TokenVerifier } from '@ledger/auth';
import type { JSONWebKeySet } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerConfig } from '@ledger/runtime';

/**
 * The keys tokens must be signed with: the identity provider's JWKS
 * (AUTH_JWKS_URL), a JWKS file (AUTH_JWKS_FILE), or, on the embedded default,
 * the local issuer's key in the data directory. The local issuer is off
 * whenever AUTH_JWKS_URL is set. Key files are read again whenever they
 * change: a key removed or replaced stops counting without a restart.
 */
export async function tokenVerifierFor(config: LedgerConfig): Promise<TokenVerifier> {
  const {
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: audience,
    AUTH_MAX_TOKEN_LIFETIME_SECONDS: maxLifetimeSeconds,
  } = config;
  const claims = {
    subject: config.AUTH_SUBJECT_CLAIM,
    role: config.AUTH_ROLE_CLAIM,
    tenant: config.AUTH_TENANT_CLAIM,
    systems: config.AUTH_SYSTEMS_CLAIM,
    eventTypes: config.AUTH_EVENT_TYPES_CLAIM,
  };
  if (config.AUTH_JWKS_URL)
    return new TokenVerifier({
      issuer,
      audience,
      maxLifetimeSeconds,
      claims,
      keys: new URL(config.AUTH_JWKS_URL),
    });
  if (config.AUTH_JWKS_FILE) {
    // A file missing or not JSON at start is a mistake to fail on, not a key set to run without.
    JSON.parse(readFileSync(config.AUTH_JWKS_FILE, 'utf8'));
    return new TokenVerifier({
      issuer,
      audience,
      maxLifetimeSeconds,
      claims,
      keys: { path: config.AUTH_JWKS_FILE, publicKeys: (json) => json as JSONWebKeySet },
    });
  }
  const keysDir = join(config.LEDGER_DATA_DIR, 'keys');
  // Creates the key on first start.
  await LocalIssuer.open(keysDir, issuer, audience);
  return new TokenVerifier({
    issuer,
    audience,
    maxLifetimeSeconds,
    keys: { path: join(keysDir, LOCAL_ISSUER_FILE), publicKeys: LocalIssuer.publicKeys },
  });
}
