import { generateCosignatureKey, generateNoteKey } from '@ledger/integrity';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, retentionSchedule } from './ledger-config';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('the edge limits as configured', () => {
  it('defaults: 600 requests per address a minute, no trusted proxy, tokens living at most a day', () => {
    expect(loadConfig({})).toMatchObject({
      LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 600,
      LEDGER_TRUST_PROXY: '',
      LEDGER_REFUSAL_TALLIES_PER_MINUTE: 1000,
      AUTH_MAX_TOKEN_LIFETIME_SECONDS: 86_400,
    });
  });

  it.each(['true', '*', '0.0.0.0/0 trust-me', 'proxy.example'])(
    'refuses LEDGER_TRUST_PROXY=%s: only addresses and ranges, so "trust everyone" cannot be said by accident',
    (value) =>
      expect(problemsOf({ LEDGER_TRUST_PROXY: value })).toEqual([
        expect.stringMatching(
          /^LEDGER_TRUST_PROXY must be empty \(trust no proxy\) or a comma-separated list/,
        ),
      ]),
  );

  it('takes a list of proxy addresses, ranges and named ranges', () =>
    expect(
      loadConfig({ LEDGER_TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,fd00::/8,loopback' }).LEDGER_TRUST_PROXY,
    ).toBe('10.0.0.0/8, 192.0.2.7,fd00::/8,loopback'));

  it.each([
    [
      'AUTH_MAX_TOKEN_LIFETIME_SECONDS',
      '30',
      'AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a whole number of seconds, 60 or more',
    ],
    [
      'LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE',
      '0',
      'LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE must be a whole number, 1 or more',
    ],
    [
      'LEDGER_REFUSAL_TALLIES_PER_MINUTE',
      '1000000',
      'LEDGER_REFUSAL_TALLIES_PER_MINUTE must be a whole number from 1 to 100000',
    ],
  ])('refuses %s=%s, naming the rule', (name, value, rule) =>
    expect(problemsOf({ [name]: value })).toEqual([rule]),
  );
});

describe('the plausible date range (LEDGER_MIN_DATE, LEDGER_MAX_DATE)', () => {
  it('defaults to 1900 through 2199', () => {
    expect(loadConfig({})).toMatchObject({
      LEDGER_MIN_DATE: '1900-01-01T00:00:00Z',
      LEDGER_MAX_DATE: '2199-12-31T23:59:59Z',
    });
  });

  it('refuses an end that is no real instant, naming the variable and the rule', () => {
    expect(problemsOf({ LEDGER_MAX_DATE: '2026-02-30T00:00:00Z' })).toEqual([
      expect.stringMatching(/^LEDGER_MAX_DATE must be a real calendar date/),
    ]);
    expect(problemsOf({ LEDGER_MIN_DATE: '1990' })).toEqual([
      expect.stringMatching(/^LEDGER_MIN_DATE must be an RFC 3339 date-time/),
    ]);
  });

  it('refuses a range that ends before it starts', () => {
    expect(
      problemsOf({ LEDGER_MIN_DATE: '2030-01-01T00:00:00Z', LEDGER_MAX_DATE: '2020-01-01T00:00:00Z' }),
    ).toEqual(['LEDGER_MIN_DATE must be earlier than LEDGER_MAX_DATE']);
  });
});

describe('variables the ledger does not know', () => {
  it('refuses AUTH_JWKS_URI, the OIDC spelling, naming AUTH_JWKS_URL, instead of leaving the local issuer on', () => {
    expect(problemsOf({ AUTH_JWKS_URI: 'https://idp.example/jwks' })).toEqual([
      "AUTH_JWKS_URI is not a setting this version knows (did you mean AUTH_JWKS_URL?); see the README's Configuration section",
    ]);
  });

  it('refuses any unknown AUTH_, CONSOLE_ or LEDGER_ variable, and only those', () => {
    expect(
      problemsOf({
        AUTH_ROLES_CLAIM: 'roles',
        CONSOLE_TITLE: 'x',
        LEDGER_SQLITE_SYNC: 'FULL',
        HOME: '/root',
      }),
    ).toEqual([
      "AUTH_ROLES_CLAIM is not a setting this version knows (did you mean AUTH_ROLE_CLAIM?); see the README's Configuration section",
      "CONSOLE_TITLE is not a setting this version knows; see the README's Configuration section",
      "LEDGER_SQLITE_SYNC is not a setting this version knows; see the README's Configuration section",
    ]);
  });

  it('knows every CONSOLE_OIDC_ setting, and reads them into the configuration', () => {
    const config = loadConfig({
      AUTH_ISSUER: 'https://idp.example/realms/staff',
      CONSOLE_OIDC_CLIENT_ID: 'govledger-console',
      CONSOLE_OIDC_SCOPE: 'openid ledger',
      CONSOLE_OIDC_AUTHORIZATION_URL: 'https://idp.example/authorize',
      CONSOLE_OIDC_TOKEN_URL: 'https://idp.example/token',
    });
    expect(config).toMatchObject({
      CONSOLE_OIDC_CLIENT_ID: 'govledger-console',
      CONSOLE_OIDC_SCOPE: 'openid ledger',
      CONSOLE_OIDC_AUTHORIZATION_URL: 'https://idp.example/authorize',
      CONSOLE_OIDC_TOKEN_URL: 'https://idp.example/token',
    });
    expect(loadConfig({}).CONSOLE_OIDC_SCOPE).toBe('openid');
  });

  it('refuses console endpoints that are not at a provider, or without a client id, with the other problems', () => {
    expect(problemsOf({ CONSOLE_OIDC_TOKEN_URL: 'http://idp.example/token', LEDGER_STORE: 'mysql' })).toEqual(
      [
        'LEDGER_STORE must be one of: sqlite, postgres, eventstoredb',
        'CONSOLE_OIDC_TOKEN_URL must be an https:// URL at the identity provider',
        'CONSOLE_OIDC_AUTHORIZATION_URL and CONSOLE_OIDC_TOKEN_URL need CONSOLE_OIDC_CLIENT_ID, the console’s client id at the identity provider',
      ],
    );
  });
});

describe('where tokens carry the caller’s role, tenant and identity (issue 21, Keycloak)', () => {
  const provider = {
    AUTH_JWKS_URL: 'https://sso.hospital.example/realms/hospital/protocol/openid-connect/certs',
    AUTH_ISSUER: 'https://sso.hospital.example/realms/hospital',
  };

  it('defaults to the claims the local issuer writes', () => {
    expect(loadConfig({})).toMatchObject({
      AUTH_SUBJECT_CLAIM: 'sub',
      AUTH_ROLE_CLAIM: 'role',
      AUTH_TENANT_CLAIM: 'tenant',
      AUTH_SYSTEMS_CLAIM: 'systems',
      AUTH_EVENT_TYPES_CLAIM: 'event_types',
    });
  });

  it('takes a dotted path into nested claims, for an identity provider’s tokens', () => {
    expect(loadConfig({ ...provider, AUTH_ROLE_CLAIM: 'realm_access.roles' }).AUTH_ROLE_CLAIM).toBe(
      'realm_access.roles',
    );
  });

  it.each(['realm_access..roles', '.roles', 'realm access.roles'])(
    'refuses AUTH_ROLE_CLAIM=%s, naming the variable and the rule',
    (value) =>
      expect(problemsOf({ ...provider, AUTH_ROLE_CLAIM: value })).toEqual([
        'AUTH_ROLE_CLAIM must be a claim name or a dotted path into nested claims, without spaces or empty segments, such as realm_access.roles',
      ]),
  );

  it('refuses renamed claims on the local issuer, whose tokens carry the default names', () => {
    expect(problemsOf({ AUTH_TENANT_CLAIM: 'org' })).toEqual([
      "AUTH_TENANT_CLAIM needs AUTH_JWKS_URL or AUTH_JWKS_FILE: the local issuer's tokens carry tenant, so only an identity provider's tokens can be read elsewhere",
    ]);
  });

  it('takes an http JWKS URL only on loopback, for a provider beside the ledger', () => {
    expect(
      problemsOf({ AUTH_JWKS_URL: 'http://127.0.0.1:8080/realms/h/protocol/openid-connect/certs' }),
    ).toEqual([]);
    expect(problemsOf({ AUTH_JWKS_URL: 'http://sso.hospital.example/certs' })).toEqual([
      'AUTH_JWKS_URL must be an https:// URL of the identity provider’s JWKS (its jwks_uri); http:// only on 127.0.0.1, localhost or [::1]',
    ]);
  });
});

describe('how often computed monitoring runs', () => {
  it('defaults to once a minute and takes a shorter period', () => {
    expect(loadConfig({}).LEDGER_MONITORING_EVERY_MS).toBe(60_000);
    expect(loadConfig({ LEDGER_MONITORING_EVERY_MS: '500' }).LEDGER_MONITORING_EVERY_MS).toBe(500);
  });

  it.each(['0', '50', '1.5', 'minutely'])(
    'refuses LEDGER_MONITORING_EVERY_MS=%s, naming the variable',
    (value) =>
      expect(problemsOf({ LEDGER_MONITORING_EVERY_MS: value })).toEqual([
        'LEDGER_MONITORING_EVERY_MS must be a whole number of milliseconds, 100 or more',
      ]),
  );
});

describe('how far the heap grows between full collections', () => {
  it('defaults to 75% past the live heap, and takes 0 for V8 to choose', () => {
    expect(loadConfig({}).LEDGER_HEAP_GROWTH_PERCENT).toBe(75);
    expect(loadConfig({ LEDGER_HEAP_GROWTH_PERCENT: '0' }).LEDGER_HEAP_GROWTH_PERCENT).toBe(0);
  });

  it.each(['-1', '301', '1.5', 'lazy'])(
    'refuses LEDGER_HEAP_GROWTH_PERCENT=%s, naming the variable',
    (value) =>
      expect(problemsOf({ LEDGER_HEAP_GROWTH_PERCENT: value })).toEqual([
        'LEDGER_HEAP_GROWTH_PERCENT must be a whole number from 0 to 300',
      ]),
  );
});

describe('witness settings (issue 18)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'witness-config-'));
    writeFileSync(join(dir, 'a-file'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a file witness in a folder still to be made, and cosigning witnesses as "<url> <key>" pairs', () => {
    const witness = generateCosignatureKey('w.example/w1');
    const config = loadConfig({
      LEDGER_WITNESSES: join(dir, 'not-yet', 'latest.checkpoint'),
      LEDGER_TLOG_WITNESSES: ` https://w1.example/witness ${witness.verifierKey} `,
    });
    expect(config.LEDGER_TLOG_WITNESSES).toContain(witness.verifierKey);
  });

  it('refuses a file witness that is a directory or under a file, naming LEDGER_WITNESSES', () => {
    expect(problemsOf({ LEDGER_WITNESSES: `${dir},${join(dir, 'a-file', 'latest.checkpoint')}` })).toEqual([
      `LEDGER_WITNESSES: ${dir} is a directory; give the path of a file inside it`,
      `LEDGER_WITNESSES: ${join(dir, 'a-file', 'latest.checkpoint')} cannot be created: ${join(dir, 'a-file')} is not a directory`,
    ]);
  });

  it('refuses a cosigning witness without a URL or with a log key instead of a witness key', () => {
    const logKey = generateNoteKey('log.example/l').verifierKey;
    for (const value of ['https://w1.example', `ftp://w1.example ${logKey}`, `https://w1.example ${logKey}`])
      expect(problemsOf({ LEDGER_TLOG_WITNESSES: value })).toEqual([
        expect.stringMatching(
          /^LEDGER_TLOG_WITNESSES must be comma-separated "<url> <witness verifier key>" pairs/,
        ),
      ]);
  });
});

describe('the retention schedule (LEDGER_RETENTION_GOVERNANCE, LEDGER_RETENTION_DATA_ACCESS)', () => {
  it('keeps both categories six years by default', () =>
    expect(retentionSchedule(loadConfig({}))).toEqual({ GOVERNANCE: 'P6Y', DATA_ACCESS: 'P6Y' }));

  it('takes other calendar durations', () =>
    expect(
      retentionSchedule(
        loadConfig({ LEDGER_RETENTION_GOVERNANCE: 'P10Y', LEDGER_RETENTION_DATA_ACCESS: 'P26W2D' }),
      ),
    ).toEqual({ GOVERNANCE: 'P10Y', DATA_ACCESS: 'P26W2D' }));

  it.each(['LEDGER_RETENTION_GOVERNANCE', 'LEDGER_RETENTION_DATA_ACCESS'])(
    'refuses %s that is no calendar duration, naming the variable and the rule',
    (name) => {
      for (const value of ['6 years', 'PT12H', 'P', '-P6Y'])
        expect(problemsOf({ [name]: value })).toEqual([
          `${name} must be an ISO 8601 duration of whole years, months, weeks or days, such as P6Y or P18M`,
        ]);
    },
  );

  it.each(['P5M', 'P180D', 'P26W', 'P1M'])(
    'refuses LEDGER_RETENTION_DATA_ACCESS=%s: shorter than the EU AI Act’s six months',
    (value) =>
      expect(problemsOf({ LEDGER_RETENTION_DATA_ACCESS: value })).toEqual([
        expect.stringMatching(
          /^LEDGER_RETENTION_DATA_ACCESS must keep data-access records at least 6 months .*Art 19, 26\(6\)/,
        ),
      ]),
  );

  it('takes six months exactly', () =>
    expect(loadConfig({ LEDGER_RETENTION_DATA_ACCESS: 'P6M' }).LEDGER_RETENTION_DATA_ACCESS).toBe('P6M'));
});
