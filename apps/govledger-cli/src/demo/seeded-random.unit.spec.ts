import { seededRandom } from './seeded-random';

const draws = (seed: number, count: number) => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => random.next());
};

describe('seededRandom', () => {
  it('draws the same sequence from the same seed, and another from the next seed', () => {
    expect(draws(16, 1000)).toEqual(draws(16, 1000));
    const other = draws(17, 1000);
    expect(draws(16, 1000).filter((x, i) => x === other[i])).toHaveLength(0);
  });

  it('draws uniformly in [0, 1) and normals with mean 0 and spread 1', () => {
    const uniform = draws(1, 100_000);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    const tenths = Array.from(
      { length: 10 },
      (_, k) => uniform.filter((x) => Math.floor(x * 10) === k).length,
    );
    // 10,000 expected in each tenth; a binomial's standard deviation is about 95.
    for (const count of tenths) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    const random = seededRandom(2);
    const normals = Array.from({ length: 100_000 }, () => random.normal());
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const variance = normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it('picks by weight and draws whole numbers within both ends', () => {
    const random = seededRandom(3);
    const picks = Array.from({ length: 10_000 }, () =>
      random.pick([
        ['rare', 1],
        ['common', 9],
      ] as const),
    );
    expect(picks.filter((p) => p === 'rare').length).toBeGreaterThan(800);
    expect(picks.filter((p) => p === 'rare').length).toBeLessThan(1200);
    const integers = new Set(Array.from({ length: 1000 }, () => random.integer(2, 5)));
    expect([...integers].sort()).toEqual([2, 3, 4, 5]);
  });

  it('refuses a seed it cannot hold exactly', () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN])
      expect(() => seededRandom(seed)).toThrow('the seed must be a whole number in [0, 2^32)');
  });
});
