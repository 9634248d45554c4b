import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { commitmentAt, openValues, sealValues, valueCommitment, valueMismatch } from './erasable';

/** The commitment as VERIFY.md states it, computed here the plain way. */
const stated = (salt: string, value: unknown) =>
  createHash('sha256').update(Buffer.from(salt, 'hex')).update(canonicalJson(value), 'utf8').digest('hex');

describe('value commitments', () => {
  const salt = '5a'.repeat(32);

  it.each([
    ['a short name', 'dr.ada'],
    ['multi-byte text', 'Zoë Ångström ✓'],
    ['long multi-byte text', 'ü'.repeat(3000)],
    ['an object, canonicalised', { b: [1, 'é'], a: null }],
  ])('is SHA-256 of the salt and the UTF-8 canonical value: %s', (_, value) => {
    expect(valueCommitment(salt, value)).toBe(stated(salt, value));
  });

  it('seals each value under its own salt and opens it again', () => {
    const envelope = { data: { actor: 'dr.ada', note: 'kept' }, metadata: { actor: { id: 'dr.ada' } } };
    const fields = [
      { pointer: '/data/actor', kind: 'person' as const },
      { pointer: '/metadata/actor/id', kind: 'person' as const },
    ];
    const { sealed, values } = sealValues(envelope, fields);
    expect(values['/data/actor'].salt).not.toBe(values['/metadata/actor/id'].salt);
    for (const { pointer } of fields) {
      expect(commitmentAt(sealed, pointer)).toBe(stated(values[pointer].salt!, 'dr.ada'));
      expect(valueMismatch(sealed, pointer, values[pointer])).toBeUndefined();
    }
    expect(sealed.data.note).toBe('kept');
    expect(openValues(sealed, values)).toEqual(envelope);
  });
});
