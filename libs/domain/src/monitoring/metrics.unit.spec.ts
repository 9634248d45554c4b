import {
  auroc,
  calibrationSlope,
  computeMetric,
  computeWindow,
  expectedCalibrationError,
  type OutputUse,
} from './metrics';

const use = (
  position: number,
  score: number,
  label: 'sepsis' | 'none' | undefined,
  extra: Partial<OutputUse> = {},
): OutputUse => ({
  outputPosition: BigInt(position),
  occurredAt: '2026-01-01T00:00:00Z',
  score,
  alerted: score >= 0.5,
  site: 'north',
  ...(label ? { outcome: { label, position: BigInt(position + 1000) } } : {}),
  ...extra,
});

describe('computed monitoring metrics', () => {
  it('AUROC counts a tie between a positive and a negative as one half', () => {
    // Positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4) 1, (0.8>0.1) 1, (0.4=0.4) ½, (0.4>0.1) 1 → 3.5/4.
    expect(auroc(Float64Array.of(0.8, 0.4, 0.4, 0.1), Uint8Array.of(1, 1, 0, 0))).toBe(0.875);
    expect(auroc(Float64Array.of(0.8, 0.4), Uint8Array.of(1, 1))).toBeUndefined();
  });

  it('expected calibration error weighs each bin by its count', () => {
    // Bin [0.2,0.3): mean score 0.2, rate 0.5 → |−0.3|·2/4; bin [0.9,1]: mean 0.95, rate 1 → 0.05·2/4.
    expect(
      expectedCalibrationError(Float64Array.of(0.2, 0.2, 0.9, 1), Uint8Array.of(0, 1, 1, 1)),
    ).toBeCloseTo(0.175, 15);
  });

  it('the calibration slope of scores that are the true probabilities is near one, and of overconfident ones below', () => {
    const scores: number[] = [];
    const outcomes: number[] = [];
    // Deterministic outcomes in exact proportion to the score: 1,000 outputs at each of nine scores.
    for (let k = 1; k <= 9; k++)
      for (let i = 0; i < 1000; i++) {
        scores.push(k / 10);
        outcomes.push(i < k * 100 ? 1 : 0);
      }
    const slope = calibrationSlope(Float64Array.from(scores), Uint8Array.from(outcomes))!;
    expect(slope).toBeCloseTo(1, 9);
    const overconfident = scores.map((p) =>
      p > 0.5 ? Math.min(0.999, p + 0.09) : Math.max(0.001, p - 0.09),
    );
    expect(calibrationSlope(Float64Array.from(overconfident), Uint8Array.from(outcomes))!).toBeLessThan(0.9);
  });

  it('sensitivity, PPV, override and alert rates name the events they read', () => {
    const records = [
      use(1, 0.9, 'sepsis', { response: { response: 'overridden', position: 2n } }),
      use(3, 0.7, 'none', { response: { response: 'accepted', position: 4n } }),
      use(5, 0.2, 'sepsis', { response: { response: 'not_seen', position: 6n } }),
      use(7, 0.1, undefined),
    ];
    expect(computeMetric('sensitivity', records, 'sepsis')).toEqual({
      value: 0.5,
      n: 2,
      positions: [1n, 5n, 1001n, 1005n],
    });
    expect(computeMetric('ppv', records, 'sepsis')).toEqual({
      value: 0.5,
      n: 2,
      positions: [1n, 3n, 1001n, 1003n],
    });
    expect(computeMetric('override_rate', records)).toEqual({
      value: 0.5,
      n: 2,
      positions: [1n, 2n, 3n, 4n],
    });
    expect(computeMetric('alert_rate', records)).toEqual({ value: 0.5, n: 4, positions: [1n, 3n, 5n, 7n] });
    expect(computeMetric('auroc', records)).toBeUndefined(); // no positive label planned: no outcome metric
  });

  it('a window yields the whole population and each band with enough outputs, and skips bands below the minimum', () => {
    const records = [
      use(1, 0.9, 'sepsis', { ageBand: '80+' }),
      use(3, 0.2, 'none', { ageBand: '80+' }),
      use(5, 0.6, 'none', { ageBand: '40-64' }),
    ];
    const values = computeWindow({ metric: 'alert_rate', minSamples: 2, subgroups: ['ageBand'] }, records);
    expect(values.map((v) => [v.subgroup, v.value, v.n])).toEqual([
      [undefined, 2 / 3, 3],
      ['ageBand=80+', 0.5, 2],
    ]);
  });
});
