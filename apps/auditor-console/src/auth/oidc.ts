import { authorizationUrl, challengeFor, type OidcClient, randomVerifier, tokenRequestBody } from './pkce';

/** What the API publishes at /console/config.json when the console signs in through the organisation's identity provider. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
  audience?: string;
  /** Set when the provider has no discovery document, or its endpoints must be overridden. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

// sessionStorage: the verifier must survive the round trip to the provider, and must not outlive this tab.
const PENDING = 'govledger.oidc.pending';

export const redirectUri = (): string => `${location.origin}/console/`;

async function resolveClient(settings: OidcSettings): Promise<OidcClient> {
  const base = {
    clientId: settings.clientId,
    scope: settings.scope,
    ...(settings.audience ? { audience: settings.audience } : {}),
  };
  if (settings.authorizationEndpoint && settings.tokenEndpoint)
    return {
      ...base,
      authorizationEndpoint: settings.authorizationEndpoint,
      tokenEndpoint: settings.tokenEndpoint,
    };
  const discovery = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(discovery);
  if (!response.ok)
    throw new Error(`the identity provider's discovery document ${discovery} answered ${response.status}`);
  const document = (await response.json()) as { authorization_endpoint?: string; token_endpoint?: string };
  const authorizationEndpoint = settings.authorizationEndpoint ?? document.authorization_endpoint;
  const tokenEndpoint = settings.tokenEndpoint ?? document.token_endpoint;
  if (!authorizationEndpoint || !tokenEndpoint)
    throw new Error(`${discovery} names no authorization_endpoint or token_endpoint`);
  return { ...base, authorizationEndpoint, tokenEndpoint };
}

export async function beginSignIn(settings: OidcSettings): Promise<void> {
  const client = await resolveClient(settings);
  const verifier = randomVerifier();
  const state = randomVerifier();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, client }));
  location.assign(
    authorizationUrl(client, { redirectUri: redirectUri(), state, challenge: await challengeFor(verifier) }),
  );
}

/** Finishes a sign-in the provider redirected back with; undefined when this page load is not such a redirect. */
export async function completeSignIn(): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const refused = params.get('error');
  if (!code && !refused) return undefined;
  const pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  // The code is single-use and must not stay in the address bar or the history.
  history.replaceState(null, '', location.pathname + location.hash);
  if (refused)
    throw new Error(
      `the identity provider refused the sign-in: ${params.get('error_description') ?? refused}`,
    );
  if (!pending) throw new Error('this sign-in was not started from this browser tab; start it again');
  const { verifier, state, client } = JSON.parse(pending) as {
    verifier: string;
    state: string;
    client: OidcClient;
  };
  if (params.get('state') !== state)
    throw new Error(
      'the answer from the identity provider does not belong to this sign-in (state differs); start it again',
    );
  const response = await fetch(client.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody(client, { code: code ?? '', redirectUri: redirectUri(), verifier }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: unknown;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || typeof body.access_token !== 'string')
    throw new Error(
      `the token endpoint refused the code: ${body.error_description ?? body.error ?? `status ${response.status}`}`,
    );
  return body.access_token;
}
