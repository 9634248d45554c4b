import type { LedgerConfig } from '@ledger/runtime';

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

/**
 * The console's OIDC client, from the CONSOLE_OIDC_* settings (checked with
 * the rest of the configuration by loadConfig). The issuer and audience are
 * the ones tokens are already checked against (AUTH_ISSUER, AUTH_AUDIENCE),
 * so the console cannot be pointed at a provider whose tokens the API would refuse.
 */
export function consoleSettings(config: LedgerConfig): ConsoleSettings {
  const clientId = config.CONSOLE_OIDC_CLIENT_ID?.trim();
  if (!clientId) return { oidc: null, connectSources: [] };
  const authorizationEndpoint = config.CONSOLE_OIDC_AUTHORIZATION_URL;
  const tokenEndpoint = config.CONSOLE_OIDC_TOKEN_URL;
  const oidc: ConsoleOidcSettings = {
    issuer: config.AUTH_ISSUER,
    clientId,
    scope: config.CONSOLE_OIDC_SCOPE.trim(),
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
