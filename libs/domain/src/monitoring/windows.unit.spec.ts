import { dueWindows } from './windows';

const at = (instant: string) => Date.parse(instant);
const weekly = { cadence: 'P1D', computation: { window: 'P7D', settle: 'P2D' } };

describe('which windows of a computed plan are due', () => {
  it('ends windows on UTC midnights for a daily cadence, each covering the planned length', () =>
    expect(dueWindows(weekly, at('2026-03-01T09:14:00Z'), at('2026-03-05T00:00:00Z'), 10)).toEqual([
      { from: '2026-02-23T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
      { from: '2026-02-24T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' },
    ]));

  it('waits for the settle time after a window ends before it is due', () => {
    expect(dueWindows(weekly, at('2026-03-01T00:00:00Z'), at('2026-03-03T23:59:59.999Z'), 10)).toEqual([]);
    expect(dueWindows(weekly, at('2026-03-01T00:00:00Z'), at('2026-03-04T00:00:00Z'), 10)).toHaveLength(1);
  });

  it('starts after the last window computed, never repeating it', () =>
    expect(dueWindows(weekly, at('2026-03-02T00:00:00Z'), at('2026-03-05T00:00:00Z'), 10)).toEqual([
      { from: '2026-02-24T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' },
    ]));

  it('catches up history a bounded number of windows at a time', () => {
    const first = dueWindows(weekly, at('2025-03-01T00:00:00Z'), at('2026-03-05T00:00:00Z'), 30);
    expect(first).toHaveLength(30);
    const next = dueWindows(weekly, at(first[29].to), at('2026-03-05T00:00:00Z'), 30);
    expect(at(next[0].to) - at(first[29].to)).toBe(24 * 3600 * 1000);
  });

  it('computes as soon as the window ends when the plan has no settle time', () =>
    expect(
      dueWindows(
        { cadence: 'PT1H', computation: { window: 'PT1H' } },
        at('2026-03-01T10:30:00Z'),
        at('2026-03-01T12:00:00Z'),
        10,
      ),
    ).toEqual([
      { from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T11:00:00.000Z' },
      { from: '2026-03-01T11:00:00.000Z', to: '2026-03-01T12:00:00.000Z' },
    ]));
});
