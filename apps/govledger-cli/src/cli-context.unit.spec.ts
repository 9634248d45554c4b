import { loadConfig } from '@ledger/runtime';
import { caller, formatEta } from './cli-context';
import { serviceUrl } from './ledger-access';

describe('formatEta', () => {
  it("shows a dash, never cli-progress's NFs or ULLs, while the ETA is unknown", () => {
    // cli-progress hands over the strings 'INF' and 'NULL' when it has no rate or no total yet.
    for (const unknown of ['INF', 'NULL', Infinity, NaN, -1]) expect(formatEta(unknown)).toBe('—');
  });

  it('formats known ETAs in seconds, minutes or hours', () => {
    expect(formatEta(0)).toBe('0s');
    expect(formatEta(42)).toBe('42s');
    expect(formatEta(75)).toBe('1m15s');
    expect(formatEta(3 * 3600 + 5 * 60)).toBe('3h05m');
  });
});

describe('caller', () => {
  it('is the person behind sudo, else the login, and never root', () => {
    expect(caller({ SUDO_USER: 'dr.lee', USER: 'root' })).toBe('dr.lee');
    expect(caller({ USER: 'ops.olga' })).toBe('ops.olga');
    expect(caller({ LOGNAME: 'ops.olga' })).toBe('ops.olga');
    expect(caller({ USER: 'root' })).toBeUndefined();
  });
});

describe('serviceUrl', () => {
  const config = (env: NodeJS.ProcessEnv) => loadConfig(env);

  it('takes --url, else LEDGER_URL, else the local service on PORT', () => {
    expect(serviceUrl(config({ LEDGER_URL: 'https://ledger.example/' }), 'http://10.0.0.2:3000/')).toBe(
      'http://10.0.0.2:3000',
    );
    expect(serviceUrl(config({ LEDGER_URL: 'https://ledger.example/' }))).toBe('https://ledger.example');
    expect(serviceUrl(config({ PORT: '3100' }))).toBe('http://127.0.0.1:3100');
  });

  it('refuses an address without an http(s) scheme, naming the rule', () => {
    expect(() => serviceUrl(config({}), 'localhost:3000')).toThrow(
      '--url must be an http(s):// URL, e.g. http://127.0.0.1:3000',
    );
    expect(() => config({ LEDGER_URL: 'ftp://ledger.example' })).toThrow(
      'LEDGER_URL must be an http(s):// URL, e.g. http://127.0.0.1:3000',
    );
  });
});
