import type { JSONWebKeySet, JWK } from 'jose';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jose } from './jose-runtime';
import type { Principal } from './principal';

export const LOCAL_ISSUER_FILE = 'token-issuer.jwk';

/**
 * The embedded default's token issuer: an Ed25519 key in the data directory
 * (mode 0600) that signs short-lived tokens for `govledger token`. A
 * deployment with an identity provider sets AUTH_JWKS_URL and never uses it.
 */
export class LocalIssuer {
  private constructor(
    private readonly privateJwk: JWK,
    readonly issuer: string,
    readonly audience: string,
  ) {}

  static async open(keysDir: string, issuer: string, audience: string): Promise<LocalIssuer> {
    const file = join(keysDir, LOCAL_ISSUER_FILE);
    if (!existsSync(file)) {
      mkdirSync(keysDir, { recursive: true, mode: 0o700 });
      const { privateKey } = await jose().generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const jwk = {
        ...(await jose().exportJWK(privateKey)),
        kid: `local-${Date.now().toString(36)}`,
        alg: 'EdDSA',
        use: 'sig',
      };
      try {
        writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return LocalIssuer.read(file, issuer, audience);
  }

  /**
   * The issuer of a ledger that already has one, creating nothing: a token
   * signed by a fresh key would only be refused by the running service.
   * Undefined when the key file is not there.
   */
  static openExisting(keysDir: string, issuer: string, audience: string): LocalIssuer | undefined {
    const file = join(keysDir, LOCAL_ISSUER_FILE);
    return existsSync(file) ? LocalIssuer.read(file, issuer, audience) : undefined;
  }

  private static read(file: string, issuer: string, audience: string): LocalIssuer {
    chmodSync(file, 0o600);
    return new LocalIssuer(JSON.parse(readFileSync(file, 'utf8')) as JWK, issuer, audience);
  }

  /** The key id tokens carry in their header: names the key without revealing it. */
  get keyId(): string {
    return String(this.privateJwk.kid);
  }

  /** The public half, as the key set the API verifies against. */
  jwks(): JSONWebKeySet {
    return LocalIssuer.publicKeys(this.privateJwk);
  }

  /** The key set of the key file's content: its public half only. */
  static publicKeys(privateJwk: unknown): JSONWebKeySet {
    const { d: _secret, ...publicJwk } = privateJwk as JWK;
    return { keys: [publicJwk] };
  }

  async issue(
    principal: Omit<Principal, 'tenantId'> & { tenantId: string },
    ttlSeconds: number,
  ): Promise<string> {
    // How long is too long is the verifier's to say (AUTH_MAX_TOKEN_LIFETIME_SECONDS), and `govledger token`'s.
    if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0))
      throw new RangeError('a local token lives a whole number of seconds, 1 or more');
    const key = await jose().importJWK(this.privateJwk, 'EdDSA');
    return new (jose().SignJWT)({
      role: principal.role,
      tenant: principal.tenantId,
      ...(principal.systems ? { systems: principal.systems } : {}),
      ...(principal.eventTypes ? { event_types: principal.eventTypes } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.privateJwk.kid })
      .setSubject(principal.id)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
  }
}
