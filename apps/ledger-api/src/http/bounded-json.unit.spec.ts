import { nestsDeeperThan } from './bounded-json';

describe('nestsDeeperThan: the nesting limit on JSON bodies', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('allows nesting up to the limit and refuses one level more', () => {
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
  });

  it('counts objects and arrays alike, and levels closed again do not add up', () => {
    expect(nestsDeeperThan('{"a":[{"b":{}}],"c":[[],[],[]]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":{"c":[]}}]}', 4)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes and backslashes included', () => {
    const text = JSON.stringify({ a: `${'['.repeat(100)}"\\${'{'.repeat(100)}`, b: ['\\'] });
    expect(nestsDeeperThan(text, 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: '\\"[', b: [[[]]] }), 3)).toBe(true);
  });
});
