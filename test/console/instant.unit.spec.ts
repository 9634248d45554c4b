import { parseInstant } from '../../apps/auditor-console/src/ui/instant';

/* The console's as-of boxes: what an auditor types, and the instant the ledger is asked about. */
describe('parseInstant', () => {
  it.each([
    ['2026-06-01', '2026-06-01T00:00:00.000Z'],
    ['2026-06-01T09:30', '2026-06-01T09:30:00.000Z'],
    ['2026-06-01 09:30:15.25', '2026-06-01T09:30:15.250Z'],
    ['2026-06-01 09:30:15.250Z', '2026-06-01T09:30:15.250Z'],
    ['2026-06-01T09:30:00.000+01:00', '2026-06-01T08:30:00.000Z'],
    ['2026-06-01T00:15-02:30', '2026-06-01T02:45:00.000Z'],
    ['  2026-12-31T23:59:59.999z  ', '2026-12-31T23:59:59.999Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
  ])('reads %s as %s (UTC without an offset)', (text, iso) => {
    expect(parseInstant(text)).toEqual({ iso });
  });

  it.each([
    'yesterday',
    '',
    '2026-6-1',
    '2026-02-30',
    '2027-02-29',
    '2026-06-01T24:00',
    '2026-06-01T09:60',
    '2026-06-01Z',
    '2026-06-01T09:30:15.2500',
    '2026-06-01T09:30+15:00',
    '2026-06-01T09:30+01:60',
    '1780000000000',
  ])('refuses %j, saying what it takes', (text) => {
    const answer = parseInstant(text);
    expect(answer).toEqual({
      error: expect.stringContaining('is not a date or an instant. UTC unless an offset is given'),
    });
  });
});
