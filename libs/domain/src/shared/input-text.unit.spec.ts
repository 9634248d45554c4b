import { illFormedInput } from './input-text';

describe('illFormedInput: the one rule for text a caller sends', () => {
  it('passes ordinary JSON, including tabs, new lines and characters outside the BMP', () =>
    expect(
      illFormedInput({ a: ['x\ty\r\nz', 1.5, -0, null, true], b: { c: 'naïve 🩺 患者' } }),
    ).toBeUndefined());

  it.each([
    ['a lone high surrogate', 'a\ud800', /lone UTF-16 surrogate/],
    ['a lone low surrogate', '\udc00b', /lone UTF-16 surrogate/],
    ['a NUL', 'a\u0000b', /U\+0000/],
    ['an escape character', '\u001b[31m', /U\+001B/],
    ['a DEL', 'a\u007f', /U\+007F/],
  ])('names the JSON path of %s nested deep in the input', (_, text, rule) => {
    const problem = illFormedInput({ data: { extra: { notes: ['fine', text] } } });
    expect(problem?.field).toBe('data.extra.notes[1]');
    expect(problem?.message).toMatch(/^data\.extra\.notes\[1\] /);
    expect(problem?.message).toMatch(rule);
  });

  it('prefixes the path with the root it is given', () =>
    expect(illFormedInput({ who: 'x\u0000' }, 'AuditEvent.agent[0]')?.field).toBe('AuditEvent.agent[0].who'));

  it('checks keys, naming the object that holds the bad key', () =>
    expect(illFormedInput({ data: { 'k\u0000': 1 } })).toMatchObject({ field: 'data' }));

  it('quotes a key that is not a plain name, shortened', () =>
    expect(illFormedInput({ 'odd key/1': { ['x'.repeat(100)]: '\u0000' } })?.field).toBe(
      `["odd key/1"]["${'x'.repeat(32)}"]`,
    ));

  it.each([Infinity, -Infinity, NaN])('refuses the number %s, which has no JSON form', (n) =>
    expect(illFormedInput({ n })).toMatchObject({ field: 'n' }),
  );

  it('walks a structure nested far deeper than any call stack without overflowing', () => {
    let deep: unknown = 'a\ud800';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(illFormedInput(deep)?.message).toMatch(/lone UTF-16 surrogate/);
  });
});
