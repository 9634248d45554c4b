import {
  auroc,
  calibrationSlope,
  computeMetric,
  computeWindow,
  expectedCalibrationError,
  OutputColumnsBuilder,
  positionsDigest,
  type OutputUse,
} from './metrics';
import { sha256Hex } from '@ledger/integrity';

const use = (
  position: number,
  score: number,
  label: 'sepsis' | 'none' | undefined,
  extra: Partial<OutputUse> = {},
): OutputUse => ({
  outputPosition: position,
  score,
  alerted: score >= 0.5,
  site: 'north',
  ...(label ? { outcomeLabel: label, outcomePosition: position + 1000 } : {}),
  ...extra,
});

const columns = (uses: OutputUse[]) => {
  const builder = new OutputColumnsBuilder();
  uses.forEach((u) => builder.add(u));
  return builder.finish();
};
const every = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
const positions = (...p: number[]) => Float64Array.from(p);

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
    const records = columns([
      use(1, 0.9, 'sepsis', { response: 'overridden', responsePosition: 2 }),
      use(3, 0.7, 'none', { response: 'accepted', responsePosition: 4 }),
      use(5, 0.2, 'sepsis', { response: 'not_seen', responsePosition: 6 }),
      use(7, 0.1, undefined),
    ]);
    const all = every(4);
    expect(computeMetric('sensitivity', records, all, 'sepsis')).toEqual({
      value: 0.5,
      n: 2,
      positions: positions(1, 5, 1001, 1005),
    });
    expect(computeMetric('ppv', records, all, 'sepsis')).toEqual({
      value: 0.5,
      n: 2,
      positions: positions(1, 3, 1001, 1003),
    });
    expect(computeMetric('override_rate', records, all)).toEqual({
      value: 0.5,
      n: 2,
      positions: positions(1, 2, 3, 4),
    });
    expect(computeMetric('alert_rate', records, all)).toEqual({
      value: 0.5,
      n: 4,
      positions: positions(1, 3, 5, 7),
    });
    expect(computeMetric('auroc', records, all)).toBeUndefined(); // no positive label planned: no outcome metric
  });

  it('a window yields the whole population and each band with enough outputs, and skips bands below the minimum', () => {
    const records = columns([
      use(1, 0.9, 'sepsis', { ageBand: '80+' }),
      use(3, 0.2, 'none', { ageBand: '80+' }),
      use(5, 0.6, 'none', { ageBand: '40-64' }),
    ]);
    const values = computeWindow({ metric: 'alert_rate', minSamples: 2, subgroups: ['ageBand'] }, records);
    expect(values.map((v) => [v.subgroup, v.value, v.n])).toEqual([
      [undefined, 2 / 3, 3],
      ['ageBand=80+', 0.5, 2],
    ]);
  });

  it('AUROC over many tied scores equals the pairwise count of positives above negatives', () => {
    const scores = Float64Array.from({ length: 400 }, (_, i) => Math.round(((i * 37) % 101) / 10) / 10);
    const outcomes = Uint8Array.from({ length: 400 }, (_, i) => ((i * 13) % 7 < 3 ? 1 : 0));
    let pairs = 0;
    let u = 0;
    for (let i = 0; i < 400; i++)
      for (let j = 0; j < 400; j++)
        if (outcomes[i] === 1 && outcomes[j] === 0) {
          pairs++;
          u += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
    expect(auroc(scores, outcomes)).toBe(u / pairs);
  });

  it('subgroup bands take only their own rows, and a value-only or unlabelled outcome is no outcome', () => {
    const records = columns([
      use(1, 0.9, 'sepsis', { sex: 'female', site: 'south' }),
      use(3, 0.8, undefined, { sex: 'female' }),
      use(5, 0.3, 'none', { sex: 'male', site: 'south' }),
      use(7, 0.2, 'sepsis', { sex: 'male' }),
      use(9, 0.1, 'none'),
    ]);
    const values = computeWindow(
      { metric: 'ppv', minSamples: 1, positiveLabel: 'sepsis', subgroups: ['sex', 'site'] },
      records,
    );
    expect(values.map((v) => [v.subgroup, v.value, v.n, [...v.positions]])).toEqual([
      [undefined, 1, 1, [1, 1001]],
      ['sex=female', 1, 1, [1, 1001]],
      ['site=south', 1, 1, [1, 1001]],
    ]);
  });

  it('the positions digest is the sha256 of the decimal positions, one per line, across its hashing slices', () => {
    const many = Float64Array.from({ length: 70_000 }, (_, i) => 2 ** 52 + i * 3);
    expect(positionsDigest(many)).toBe(sha256Hex([...many].map((p) => `${BigInt(p)}\n`).join('')));
  });

  it('refuses a position that a float cannot hold exactly', () => {
    expect(() => new OutputColumnsBuilder().add(use(2 ** 53, 0.5, undefined))).toThrow(RangeError);
  });
});
