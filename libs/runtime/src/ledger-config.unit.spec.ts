import { ConfigError, loadConfig } from './ledger-config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

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
