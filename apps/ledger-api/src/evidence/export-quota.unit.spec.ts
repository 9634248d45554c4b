import { ExportQuota, HOUR_MS } from './export-quota';

describe('ExportQuota: who may start an export now', () => {
  const limits = { concurrentPerCaller: 1, perHourPerCaller: 3, concurrent: 2 };
  const refusedBy = (admission: ReturnType<ExportQuota['admit']>) =>
    admission.admitted ? 'admitted' : admission.limit;

  it('admits one export per caller at a time, and the next once the first is released', () => {
    const quota = new ExportQuota(limits);
    const first = quota.admit('t/amy', 0);
    expect(refusedBy(quota.admit('t/amy', 1))).toBe('concurrent-per-caller');
    if (first.admitted) first.release();
    expect(refusedBy(quota.admit('t/amy', 2))).toBe('admitted');
  });

  it('caps the whole process, whoever asks', () => {
    const quota = new ExportQuota(limits);
    quota.admit('t/amy', 0);
    quota.admit('t/ben', 0);
    expect(refusedBy(quota.admit('t/cleo', 0))).toBe('concurrent');
  });

  it('counts starts over a sliding hour and says when the oldest leaves it', () => {
    const quota = new ExportQuota(limits);
    for (const at of [0, 10_000, 20_000]) {
      const admission = quota.admit('t/amy', at);
      if (admission.admitted) admission.release();
    }
    expect(quota.admit('t/amy', 30_000)).toEqual({
      admitted: false,
      limit: 'per-hour-per-caller',
      max: 3,
      retryAfterMs: HOUR_MS - 30_000,
    });
    // Another caller's allowance is their own.
    expect(refusedBy(quota.admit('t/ben', 30_000))).toBe('admitted');
    // An hour after the first start, one more is allowed, and not two.
    const next = quota.admit('t/amy', HOUR_MS + 1);
    expect(refusedBy(next)).toBe('admitted');
    if (next.admitted) next.release();
    expect(refusedBy(quota.admit('t/amy', HOUR_MS + 2))).toBe('per-hour-per-caller');
  });

  it('releases a slot once, however often release is called', () => {
    const quota = new ExportQuota(limits);
    const first = quota.admit('t/amy', 0);
    quota.admit('t/ben', 0);
    if (first.admitted) {
      first.release();
      first.release();
    }
    quota.admit('t/cleo', 0);
    expect(refusedBy(quota.admit('t/dora', 0))).toBe('concurrent');
  });
});
