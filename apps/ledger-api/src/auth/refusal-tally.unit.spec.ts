import { MINUTE_MS, RefusalTally } from './refusal-tally';

const noToken = {
  tenantId: 'unauthenticated',
  address: '203.0.113.9',
  operation: 'POST /v1/events',
  reason: 'send Authorization: Bearer <token>',
  status: 401,
};
const start = 29_000_000 * MINUTE_MS;

describe('RefusalTally', () => {
  it('counts refusals alike as one tally, from the first to the last', () => {
    const tally = new RefusalTally(RefusalTally.minuteOf(start), 100);
    for (let i = 0; i < 4000; i++) tally.add(noToken, start + i);
    expect(tally.entries()).toEqual([{ ...noToken, count: 4000, firstAt: start, lastAt: start + 3999 }]);
  });

  it('keeps callers, operations, statuses and reasons apart', () => {
    const tally = new RefusalTally(0, 100);
    tally.add(noToken, 1);
    tally.add({ ...noToken, address: '203.0.113.10' }, 2);
    tally.add({ ...noToken, operation: 'POST /graphql' }, 3);
    tally.add({ ...noToken, status: 429, reason: 'over the limit' }, 4);
    tally.add(
      { tenantId: 'st-mary', principal: 'svc.x', role: 'emitter', operation: 'x', reason: 'y', status: 403 },
      5,
    );
    expect(tally.entries().map((e) => e.count)).toEqual([1, 1, 1, 1, 1]);
  });

  it('folds callers beyond its bound into one tally per tenant and status, losing no count', () => {
    const tally = new RefusalTally(0, 3);
    for (let i = 0; i < 1000; i++) tally.add({ ...noToken, address: `198.51.100.${i % 250}` }, i);
    expect(tally.size).toBe(4);
    const [other] = tally.entries().filter((e) => e.address === undefined);
    expect(other).toMatchObject({
      tenantId: 'unauthenticated',
      operation: 'any operation',
      reason: 'refused callers beyond the 3 tallied separately this minute',
      status: 401,
      count: 1000 - 3 * 4,
    });
    expect(tally.entries().reduce((sum, e) => sum + e.count, 0)).toBe(1000);
  });
});
