import fc from 'fast-check';
import { CALENDAR_RANGE, checkInstant, instantRangeOf, parseInstant } from './time';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const PLAUSIBLE = instantRangeOf('1900-01-01T00:00:00Z', '2199-12-31T23:59:59Z');

describe('checkInstant: strict RFC 3339 calendar instants', () => {
  it.each([
    ['2026-02-30T09:00:00Z', 'real calendar date'],
    ['2025-02-29T09:00:00Z', 'real calendar date'],
    ['2026-04-31T09:00:00Z', 'real calendar date'],
    ['2026-13-01T09:00:00Z', 'real calendar date'],
    ['2026-00-10T09:00:00Z', 'real calendar date'],
    ['0000-01-01T00:00:00Z', 'real calendar date'],
    ['2026-03-14T24:00:00Z', 'RFC 3339'],
    ['2026-03-14T09:60:00Z', 'RFC 3339'],
    ['2026-03-14T09:00:60Z', 'RFC 3339'],
    ['2026-03-14T09:00:00', 'RFC 3339'],
    ['2026-03-14T09:00:00+24:00', 'RFC 3339'],
    ['2026-03-14t09:00:00z', 'RFC 3339'],
    ['+010000-01-01T00:00:00.000Z', 'RFC 3339'],
    ['10000-01-01T00:00:00Z', 'RFC 3339'],
    ['2026-03-14T09:00:00.1234567891Z', 'RFC 3339'],
    ['2026-03-14', 'RFC 3339'],
  ])('refuses %s, naming the rule (%s)', (value, rule) => {
    expect(checkInstant(value).rule).toContain(rule);
  });

  it('accepts 29 February of a leap year, 2000 included, and rejects it in 1900 and 2100', () => {
    expect(checkInstant('2024-02-29T00:00:00Z').ms).toBe(Date.UTC(2024, 1, 29));
    expect(checkInstant('2000-02-29T00:00:00Z').ms).toBe(Date.UTC(2000, 1, 29));
    expect(checkInstant('1900-02-29T00:00:00Z').rule).toBeDefined();
    expect(checkInstant('2100-02-29T00:00:00Z').rule).toBeDefined();
  });

  it('refuses an instant outside the range given, naming both ends, and judges the offset in', () => {
    expect(checkInstant('2200-01-01T00:00:00Z', PLAUSIBLE).rule).toBe(
      'must lie between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z; got 2200-01-01T00:00:00Z',
    );
    expect(checkInstant('1899-12-31T23:59:59Z', PLAUSIBLE).rule).toContain('must lie between');
    expect(checkInstant('2199-12-31T23:59:59-01:00', PLAUSIBLE).rule).toContain('must lie between');
    expect(checkInstant('2199-12-31T23:59:59Z', PLAUSIBLE).ms).toBe(Date.parse('2199-12-31T23:59:59Z'));
  });

  it('agrees with the calendar for every well-formed date: accepted exactly when Date keeps its fields', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (year, month, day, hour, offsetMinutes) => {
          const sign = offsetMinutes < 0 ? '-' : '+';
          const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:00:00${offset}`;
          const utc = new Date(0);
          utc.setUTCFullYear(year, month - 1, day);
          const real =
            year >= 1 &&
            utc.getUTCFullYear() === year &&
            utc.getUTCMonth() === month - 1 &&
            utc.getUTCDate() === day;
          const { ms, rule } = checkInstant(text);
          if (!real) return rule !== undefined && rule.includes('calendar');
          // 0001-01-01T00:00+01:00 is a real date whose instant falls in year 0: the range refuses it.
          const expected = utc.setUTCHours(hour, -offsetMinutes, 0, 0);
          const inRange =
            expected >= Date.parse(CALENDAR_RANGE.min) && expected <= Date.parse(CALENDAR_RANGE.max);
          return inRange ? ms === expected : rule?.includes('must lie between') === true;
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('parseInstant throws a VALIDATION_FAILED naming the field and the rule', () => {
    expect(() => parseInstant('2026-02-30T00:00:00Z', 'observedAt')).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        field: 'observedAt',
        message: expect.stringMatching(/^observedAt must be a real calendar date/),
      }),
    );
  });
});
