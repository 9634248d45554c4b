import { ConfigError, loadConfig } from '@ledger/runtime';
import { consoleSettings } from './console-settings';

const settings = (env: NodeJS.ProcessEnv) => consoleSettings(loadConfig(env));

describe('the console’s sign-in settings', () => {
  it('offers only pasted tokens on the embedded default', () => {
    expect(settings({})).toEqual({ oidc: null, connectSources: [] });
  });

  it('signs in through the token issuer when a client id is set, and lets the page reach the provider', () => {
    expect(
      settings({
        AUTH_ISSUER: 'https://login.hospital.example/realms/staff',
        AUTH_AUDIENCE: 'govledger',
        CONSOLE_OIDC_CLIENT_ID: 'govledger-console',
      }),
    ).toEqual({
      oidc: {
        issuer: 'https://login.hospital.example/realms/staff',
        clientId: 'govledger-console',
        scope: 'openid',
        audience: 'govledger',
      },
      connectSources: ['https://login.hospital.example'],
    });
  });

  it('takes explicit endpoints for a provider without discovery', () => {
    const { oidc, connectSources } = settings({
      AUTH_ISSUER: 'https://idp.example',
      CONSOLE_OIDC_CLIENT_ID: 'c',
      CONSOLE_OIDC_SCOPE: 'openid ledger',
      CONSOLE_OIDC_AUTHORIZATION_URL: 'https://idp.example/oauth2/authorize',
      CONSOLE_OIDC_TOKEN_URL: 'https://tokens.idp.example/oauth2/token',
    });
    expect(oidc).toMatchObject({
      scope: 'openid ledger',
      authorizationEndpoint: 'https://idp.example/oauth2/authorize',
      tokenEndpoint: 'https://tokens.idp.example/oauth2/token',
    });
    expect(connectSources).toEqual(['https://idp.example', 'https://tokens.idp.example']);
  });

  it('refuses at start an issuer that is not a provider URL, a plain-http provider, or endpoints without a client id, naming the variable', () => {
    expect(() => settings({ CONSOLE_OIDC_CLIENT_ID: 'c' })).toThrow(
      new ConfigError([
        'AUTH_ISSUER must be the identity provider’s https:// issuer URL when CONSOLE_OIDC_CLIENT_ID is set',
      ]),
    );
    expect(() =>
      settings({
        AUTH_ISSUER: 'https://idp.example',
        CONSOLE_OIDC_CLIENT_ID: 'c',
        CONSOLE_OIDC_TOKEN_URL: 'http://idp.example/token',
      }),
    ).toThrow(/CONSOLE_OIDC_TOKEN_URL must be an https/);
    expect(() => settings({ CONSOLE_OIDC_AUTHORIZATION_URL: 'https://idp.example/a' })).toThrow(
      /need CONSOLE_OIDC_CLIENT_ID/,
    );
  });
});
