import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/ledger-api';

/**
 * Issue 21, section 5: the ledger behind Keycloak. No Keycloak can be
 * installed here, so a local HTTP server plays the realm: it publishes an
 * RS256 JWKS at Keycloak's path, and the tokens are shaped as Keycloak mints
 * them (roles under realm_access.roles among Keycloak's own, aud a list with
 * `account`, azp, a UUID sub, preferred_username, tenant from a mapper).
 */
describe('tokens shaped as Keycloak issues them, with the claim names configured', () => {
  const AUDIENCE = 'govledger';
  let realm: Server;
  let issuer: string;
  let privateKey: CryptoKey;
  let api: TestApi;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'realm-key-1', alg: 'RS256', use: 'sig' };
    realm = createServer((request, response) => {
      const found = request.url === '/realms/hospital/protocol/openid-connect/certs';
      response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
      response.end(found ? JSON.stringify({ keys: [jwk] }) : '{}');
    });
    await new Promise<void>((resolve) => realm.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(realm.address() as AddressInfo).port}/realms/hospital`;
    api = await startTestApi('sqlite', {
      AUTH_JWKS_URL: `${issuer}/protocol/openid-connect/certs`,
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ROLE_CLAIM: 'realm_access.roles',
    });
  });
  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => realm.close(resolve));
  });

  /** A Keycloak access token: what its default scopes, a realm-role mapper and a tenant attribute mapper put in. */
  const keycloakToken = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      typ: 'Bearer',
      azp: 'govledger-console',
      preferred_username: 'dana.auditor',
      scope: 'openid profile email',
      tenant: 'st-mary',
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'realm-key-1' })
      .setIssuer(issuer)
      .setAudience(['account', AUDIENCE])
      .setSubject(randomUUID())
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
  };

  async function graphql(token: string): Promise<{ status: number; body: Record<string, any> }> {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ ledger { headPosition } }' }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('lets an auditor whose role sits in realm_access.roles, among Keycloak’s own, read GraphQL', async () => {
    const answer = await graphql(
      await keycloakToken({ realm_access: { roles: ['offline_access', 'uma_authorization', 'auditor'] } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.ledger.headPosition).toEqual(expect.any(String));
  });

  it('refuses a token carrying two ledger roles with 401, naming both', async () => {
    const answer = await graphql(
      await keycloakToken({ realm_access: { roles: ['offline_access', 'auditor', 'governance-admin'] } }),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toBe(
      'the token carries 2 ledger roles in its realm_access.roles claim (auditor, governance-admin); a token must carry exactly one',
    );
  });

  it('refuses a token whose role sits only under `role` when AUTH_ROLE_CLAIM points at realm_access.roles', async () => {
    const answer = await graphql(
      await keycloakToken({
        role: 'auditor',
        realm_access: { roles: ['offline_access', 'uma_authorization'] },
      }),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toBe(
      'the token carries no known role in its realm_access.roles claim (one of auditor, regulator, emitter, governance-admin, ledger-admin, data-protection-officer)',
    );
  });
});
