import { sha256, toBase64Url } from '../integrity/bytes';

/*
 * OIDC authorization code with PKCE (RFC 7636, S256) for a public browser
 * client: no client secret exists to leak, and a stolen authorization code
 * is useless without the verifier that never left this tab.
 */

export function randomVerifier(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function challengeFor(verifier: string): Promise<string> {
  return toBase64Url(await sha256(new TextEncoder().encode(verifier)));
}

export interface OidcClient {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scope: string;
  /** Some identity providers (Auth0, Okta's custom servers) only issue an access token for the API when asked for its audience. */
  audience?: string;
}

export function authorizationUrl(
  client: OidcClient,
  request: { redirectUri: string; state: string; challenge: string },
): string {
  const url = new URL(client.authorizationEndpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: request.redirectUri,
    scope: client.scope,
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    ...(client.audience ? { audience: client.audience } : {}),
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

export function tokenRequestBody(
  client: OidcClient,
  request: { code: string; redirectUri: string; verifier: string },
): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code: request.code,
    redirect_uri: request.redirectUri,
    client_id: client.clientId,
    code_verifier: request.verifier,
  });
}
