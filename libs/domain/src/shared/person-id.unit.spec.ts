import fc from 'fast-check';
import { personId } from './person-id';

describe('personId: one spelling per person', () => {
  it.each([
    ['case', 'Rev.Same', 'rev.same'],
    ['surrounding white space', ' rev.same\t', 'rev.same'],
    ['a decomposed accent (NFD)', 'Jose\u0301@clinic.example', 'jos\u00e9@clinic.example'],
    ['a composed accent (NFC)', 'JOS\u00c9@clinic.example', 'jos\u00e9@clinic.example'],
  ])('folds %s', (_, raw, id) => expect(personId(raw)).toBe(id));

  it('keeps different people apart', () => {
    expect(personId('rev.same')).not.toBe(personId('rev.sam'));
    expect(personId('r\u00e9v.same')).not.toBe(personId('rev.same'));
  });

  it('is stable: normalising an id again changes nothing', () =>
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (raw) =>
        expect(personId(personId(raw))).toBe(personId(raw)),
      ),
      { numRuns: 2000 },
    ));

  it('gives every spelling that differs only in case, white space or composition the same id', () =>
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }), (raw) => {
        const id = personId(raw);
        expect(personId(` ${raw.toUpperCase()}\n`)).toBe(id);
        expect(personId(raw.normalize('NFD'))).toBe(id);
      }),
    ));
});
