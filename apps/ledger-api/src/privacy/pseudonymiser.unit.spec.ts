import { Pseudonymiser } from './pseudonymiser';

const key = Buffer.alloc(32, 7);

describe('the digest of a kept original', () => {
  const pseudonymiser = new Pseudonymiser(key);

  it('is keyed: another key gives another digest, so the stored copy cannot be brute-forced back to its MRN', () =>
    expect(pseudonymiser.digest('t1', '{"a":1}')).not.toBe(
      new Pseudonymiser(Buffer.alloc(32, 8)).digest('t1', '{"a":1}'),
    ));

  it('is the same for the same tenant and text, and differs per tenant', () => {
    expect(pseudonymiser.digest('t1', '{"a":1}')).toBe(pseudonymiser.digest('t1', '{"a":1}'));
    expect(pseudonymiser.digest('t1', '{"a":1}')).not.toBe(pseudonymiser.digest('t2', '{"a":1}'));
  });

  it('never equals a pseudonym of the same input: it is made under a key of its own', () =>
    expect(pseudonymiser.digest('t1', 'MRN-1')).not.toBe(pseudonymiser.pseudonymise('t1', 'MRN-1')));
});
