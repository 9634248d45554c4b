/**
 * A seeded pseudo-random generator for the demo's clinical use: the same seed
 * draws the same scores and outcomes on every machine and Node version, so a
 * seeded ledger (and the breach it computes) can be reproduced. sfc32, its
 * 128-bit state filled from the seed by splitmix32: small, fast and with no
 * weakness a demo could show; not for anything secret.
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal, by Box-Muller. */
  normal(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A whole number in [min, max]. */
  integer(min: number, max: number): number;
  /** One of the choices, each with its weight. */
  pick<T>(choices: ReadonlyArray<readonly [T, number]>): T;
}

export function seededRandom(seed: number): SeededRandom {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`the seed must be a whole number in [0, 2^32); got ${seed}`);
  let mix = seed >>> 0;
  const splitmix32 = () => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  const random: SeededRandom = {
    next,
    normal: () => {
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
    chance: (p) => next() < p,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (choices) => {
      const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
      let left = next() * total;
      for (const [choice, weight] of choices) {
        left -= weight;
        if (left < 0) return choice;
      }
      return choices[choices.length - 1][0];
    },
  };
  // Discard the first draws: sfc32's authors advise it, so nearby seeds do not start alike.
  for (let i = 0; i < 12; i++) next();
  return random;
}
