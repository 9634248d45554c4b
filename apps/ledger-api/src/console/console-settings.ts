import { ConfigError, type LedgerConfig } from '@ledger/runtime';

/** What the console's sign-in page needs to run the OIDC code flow with PKCE; null on the embedded default (pasted tokens). */
export interface ConsoleOidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
  audience: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

export interface ConsoleSettings {
  oidc: ConsoleOidcSettings | null;
  /** Origins the page may fetch from besides its own: the identity provider's discovery and token endpoints. */
  connectSources: string[];
}

// https, or http on loopback for an identity provider run beside the ledger in development.
const PROVIDER_URL = /^(https:\/\/[^\s/]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)(\/\S*)?$/;

/**
 * The console's OIDC client, from CONSOLE_OIDC_* variables, checked at start
 * like every other setting. The issuer and audience are the ones tokens are
 * already checked against (AUTH_ISSUER, AUTH_AUDIENCE), so the console cannot
 * be pointed at a provider whose tokens the API would refuse.
 */
export function consoleSettings(env: NodeJS.ProcessEnv, config: LedgerConfig): ConsoleSettings {
  const clientId = env.CONSOLE_OIDC_CLIENT_ID?.trim();
  const authorizationEndpoint = env.CONSOLE_OIDC_AUTHORIZATION_URL?.trim() || undefined;
  const tokenEndpoint = env.CONSOLE_OIDC_TOKEN_URL?.trim() || undefined;
  if (!clientId) {
    if (authorizationEndpoint || tokenEndpoint)
      throw new ConfigError([
        'CONSOLE_OIDC_AUTHORIZATION_URL and CONSOLE_OIDC_TOKEN_URL need CONSOLE_OIDC_CLIENT_ID, the console’s client id at the identity provider',
      ]);
    return { oidc: null, connectSources: [] };
  }
  const problems: string[] = [];
  if (!PROVIDER_URL.test(config.AUTH_ISSUER))
    problems.push(
      'AUTH_ISSUER must be the identity provider’s https:// issuer URL when CONSOLE_OIDC_CLIENT_ID is set',
    );
  for (const [name, value] of [
    ['CONSOLE_OIDC_AUTHORIZATION_URL', authorizationEndpoint],
    ['CONSOLE_OIDC_TOKEN_URL', tokenEndpoint],
  ] as const)
    if (value !== undefined && !PROVIDER_URL.test(value))
      problems.push(`${name} must be an https:// URL at the identity provider`);
  if (problems.length > 0) throw new ConfigError(problems);
  const oidc: ConsoleOidcSettings = {
    issuer: config.AUTH_ISSUER,
    clientId,
    scope: env.CONSOLE_OIDC_SCOPE?.trim() || 'openid',
    audience: config.AUTH_AUDIENCE,
    ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
    ...(tokenEndpoint ? { tokenEndpoint } : {}),
  };
  const connectSources = [
    ...new Set(
      [config.AUTH_ISSUER, tokenEndpoint]
        .filter((url): url is string => url !== undefined)
        .map((url) => new URL(url).origin),
    ),
  ];
  return { oidc, connectSources };
}
