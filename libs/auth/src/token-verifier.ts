import type { createLocalJWKSet, createRemoteJWKSet, JSONWebKeySet, JWTPayload } from 'jose';
import { readFileSync, statSync } from 'node:fs';
import { personId } from '@ledger/domain';
import { jose } from './jose-runtime';
import { isRole, ROLES, type Role } from './policy';
import type { Principal } from './principal';

/** Asymmetric algorithms only: never `none`, and never HS256, which would let a public key act as a shared secret. */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
/** Clocks drift; a token a few seconds early or late is still the caller's. */
export const CLOCK_TOLERANCE_SECONDS = 30;

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A subject once normalised: letters (any script, with their accents), digits and . _ : @ - */
const PRINCIPAL_ID = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}._:@-]{0,127}$/u;

export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** A key file read again whenever it changes: `publicKeys` turns its JSON into the key set tokens are checked against. */
export interface KeyFile {
  path: string;
  publicKeys: (json: unknown) => JSONWebKeySet;
}

/**
 * Where in a token each fact about the caller is read: a claim name, or a
 * dotted path into nested claims (Keycloak puts realm roles in
 * `realm_access.roles`). A claim whose whole name is present is read as is,
 * so a namespaced claim such as `https://hospital.example/role` also works.
 */
export interface ClaimNames {
  /** Who the caller is; the ledger records it as the actor. */
  subject: string;
  /** The ledger role: a string, or a list holding exactly one ledger role among other values. */
  role: string;
  tenant: string;
  /** Regulators: the AI systems granted to them. */
  systems: string;
  /** Emitters: the event types they may send. */
  eventTypes: string;
}

/** The claims the local issuer writes, and every token had to carry before they could be named. */
export const DEFAULT_CLAIM_NAMES: Readonly<ClaimNames> = Object.freeze({
  subject: 'sub',
  role: 'role',
  tenant: 'tenant',
  systems: 'systems',
  eventTypes: 'event_types',
});

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** A JWKS URL (an OIDC provider's jwks_uri), a key file (a JWKS file, or the local issuer's key), or a key set. */
  keys: URL | KeyFile | JSONWebKeySet;
  /** The longest a token may live, from its `iat` (or from now, without one) to its `exp`. */
  maxLifetimeSeconds: number;
  /** Where the caller's identity, role, tenant and grants are read; DEFAULT_CLAIM_NAMES by default. */
  claims?: Readonly<ClaimNames>;
  clock?: () => number;
}

/** How often a key file is looked at: a key removed or replaced stops counting within a second, without a restart. */
export const KEY_FILE_CHECK_MS = 1000;

/**
 * A verified token is remembered for a minute (never past its expiry), keyed
 * by its exact text: an emitter sends one token with thousands of requests,
 * and checking its signature again each time was a tenth of the service's CPU
 * under load. A minute adds nothing to the window in which a withdrawn signing
 * key still counts: the key set itself is cached for longer.
 */
const REMEMBER_MS = 60_000;
const REMEMBERED_TOKENS = 1000;

/** Verifies OIDC bearer tokens and turns their claims into a Principal. */
export class TokenVerifier {
  private keySet: ReturnType<typeof createRemoteJWKSet> | ReturnType<typeof createLocalJWKSet>;
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly clock: () => number;
  private readonly claims: Readonly<ClaimNames>;
  /** For a key file: when to look at it next, and what it looked like last time (inode, size, mtime). */
  private nextKeyFileCheck = 0;
  private keyFileStamp?: string;
  /** The ids of the keys tokens are checked against, to name them to a caller whose token no key matched. */
  private trustedKeyIds: string[];

  constructor(private readonly options: TokenVerifierOptions) {
    const { keys } = options;
    this.keySet =
      keys instanceof URL
        ? jose().createRemoteJWKSet(keys)
        : jose().createLocalJWKSet('path' in keys ? { keys: [] } : keys);
    this.trustedKeyIds = keys instanceof URL || 'path' in keys ? [] : keyIds(keys);
    this.clock = options.clock ?? Date.now;
    this.claims = options.claims ?? DEFAULT_CLAIM_NAMES;
  }

  /** Whether this exact token was verified within the last minute: a lookup, no cryptography. */
  remembers(token: string): boolean {
    return (this.verified.get(token)?.until ?? 0) > this.clock();
  }

  async verify(token: string): Promise<Principal> {
    const now = this.clock();
    this.reloadKeyFile(now);
    const remembered = this.verified.get(token);
    if (remembered && remembered.until > now) return remembered.principal;
    this.verified.delete(token);
    const { principal, expiresAt } = await this.verifySignature(token);
    this.verified.set(token, { principal, until: Math.min(now + REMEMBER_MS, expiresAt) });
    // Maps iterate in insertion order: the first key is the longest remembered.
    if (this.verified.size > REMEMBERED_TOKENS)
      this.verified.delete(this.verified.keys().next().value as string);
    return principal;
  }

  /**
   * Reads the key file again when it changed since last looked at; a file
   * gone holds no keys. A change forgets every remembered token, so a
   * withdrawn key stops counting at once, not a minute later.
   */
  private reloadKeyFile(now: number): void {
    const { keys } = this.options;
    if (keys instanceof URL || !('path' in keys) || now < this.nextKeyFileCheck) return;
    this.nextKeyFileCheck = now + KEY_FILE_CHECK_MS;
    const stat = statSync(keys.path, { throwIfNoEntry: false });
    const stamp = stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : 'gone';
    if (stamp === this.keyFileStamp) return;
    this.verified.clear();
    try {
      const keySet = stat ? keys.publicKeys(JSON.parse(readFileSync(keys.path, 'utf8'))) : { keys: [] };
      this.keySet = jose().createLocalJWKSet(keySet);
      this.trustedKeyIds = keyIds(keySet);
      this.keyFileStamp = stamp;
    } catch {
      // Caught mid-write, say: no keys until a later look, which reads it again because its stamp was not kept.
      this.keySet = jose().createLocalJWKSet({ keys: [] });
      this.trustedKeyIds = [];
    }
  }

  private async verifySignature(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jose().jwtVerify(token, this.keySet, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // The subject is checked below, at whichever claim names it.
        requiredClaims: ['exp'],
        currentDate: new Date(this.clock()),
      }));
    } catch (error) {
      throw new AuthenticationError(
        error instanceof jose().errors.JWKSNoMatchingKey ? this.untrustedKey(token) : describe(error),
      );
    }
    const exp = payload.exp as number;
    const lifetime = exp - (payload.iat ?? Math.floor(this.clock() / 1000));
    if (lifetime > this.options.maxLifetimeSeconds)
      throw new AuthenticationError(
        `the token lives ${lifetime} s (from ${payload.iat === undefined ? 'now' : 'its iat'} to its exp), longer than the ${this.options.maxLifetimeSeconds} s this ledger accepts; get a shorter-lived token`,
      );
    // Remembered no longer than jose itself would accept it.
    return {
      principal: Object.freeze(principalFrom(payload, this.claims)),
      expiresAt: (exp + CLOCK_TOLERANCE_SECONDS) * 1000,
    };
  }

  /**
   * A token from another ledger (or another identity provider) carries a key
   * this one does not hold: a fresh token from the same place would be refused
   * again, so the caller is told which key the token names and which issuer
   * and keys this ledger expects. Key ids and issuers are public (a JWKS
   * publishes them); nothing secret is named.
   */
  private untrustedKey(token: string): string {
    const { keys, issuer } = this.options;
    const kid = printable(jose().decodeProtectedHeader(token).kid);
    let iss: string | undefined;
    try {
      iss = printable(jose().decodeJwt(token).iss);
    } catch {
      // A payload that is not JSON: the key is still the thing to name.
    }
    const expected =
      keys instanceof URL
        ? `a key published at ${keys.href}`
        : this.trustedKeyIds.length === 0
          ? 'no key at present'
          : `key ${this.trustedKeyIds.join(' or ')}`;
    return `the token was not signed by a key this ledger trusts: it names key ${kid ?? '(none)'}${iss ? ` of issuer ${iss}` : ''}, and this ledger expects tokens of issuer ${issuer} signed by ${expected}; get a token from this ledger's issuer, not another ledger's`;
  }
}

/** A header or claim value fit to quote back: short plain text, or nothing. */
function printable(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\w.:/@+-]{1,100}$/.test(value) ? value : undefined;
}

function keyIds(keySet: JSONWebKeySet): string[] {
  return keySet.keys.map((k) => k.kid).filter((kid): kid is string => typeof kid === 'string');
}

/** The claim at `name`: the claim of that exact name if there is one, else the dotted path into nested claims. */
function claimAt(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const key of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The one ledger role a token carries. A provider's role list holds others
 * too (Keycloak's offline_access, uma_authorization), which are passed over;
 * two ledger roles are refused rather than one picked, since which one a
 * person acts in would then depend on list order.
 */
function roleFrom(value: unknown, claim: string): Role {
  const known = [...new Set((Array.isArray(value) ? value : [value]).filter(isRole))];
  if (known.length === 1) return known[0];
  if (known.length === 0)
    throw new AuthenticationError(
      `the token carries no known role in its ${claim} claim (one of ${ROLES.join(', ')})`,
    );
  throw new AuthenticationError(
    `the token carries ${known.length} ledger roles in its ${claim} claim (${known.join(', ')}); a token must carry exactly one`,
  );
}

function principalFrom(payload: JWTPayload, claims: Readonly<ClaimNames>): Principal {
  const sub = claimAt(payload, claims.subject);
  const tenant = claimAt(payload, claims.tenant);
  const { act } = payload as JWTPayload & { act?: unknown };
  // Normalised once, here, so Rev.Same and rev.same are one person in every comparison the ledger makes.
  const id = typeof sub === 'string' ? personId(sub) : '';
  if (!PRINCIPAL_ID.test(id))
    throw new AuthenticationError(
      `the token subject (${claims.subject}) must be 1-128 letters, digits or . _ : @ - (compared ignoring case, surrounding white space and Unicode composition)`,
    );
  const role = roleFrom(claimAt(payload, claims.role), claims.role);
  if (typeof tenant !== 'string' || !TENANT.test(tenant))
    throw new AuthenticationError(`the token carries no valid tenant in its ${claims.tenant} claim`);
  const list = (claim: string) => {
    const value = claimAt(payload, claim);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw new AuthenticationError(`the token's ${claim} claim must be a list of strings`);
    return value as string[];
  };
  const onBehalfOf = (act as { sub?: unknown } | undefined)?.sub;
  return {
    id,
    role,
    tenantId: tenant,
    systems: role === 'regulator' ? (list(claims.systems) ?? []) : undefined,
    eventTypes: list(claims.eventTypes),
    ...(typeof onBehalfOf === 'string' ? { onBehalfOf: personId(onBehalfOf) } : {}),
  };
}

/** What went wrong, in words that help the caller and reveal nothing about keys. */
function describe(error: unknown): string {
  const { errors } = jose();
  if (error instanceof errors.JWTExpired) return 'the token has expired; get a new one';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted here (${error.reason === 'missing' ? 'missing' : 'wrong value'})`;
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `the token's algorithm is not allowed; use one of ${ALLOWED_ALGORITHMS.join(', ')}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'the bearer token is not a well-formed JWT';
  return 'the token could not be verified';
}
