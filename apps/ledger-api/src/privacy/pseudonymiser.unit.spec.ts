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

describe('the digest of a held or erased subject', () => {
  const pseudonymiser = new Pseudonymiser(key);

  it('is one digest for every spelling of a person', () =>
    expect(pseudonymiser.subjectDigest('t1', 'PERSON', 'Dr.Ada')).toBe(
      pseudonymiser.subjectDigest('t1', 'PERSON', ' dr.ada'),
    ));

  it('differs per tenant, per kind and per key', () => {
    const ada = pseudonymiser.subjectDigest('t1', 'PERSON', 'dr.ada');
    expect(pseudonymiser.subjectDigest('t2', 'PERSON', 'dr.ada')).not.toBe(ada);
    expect(pseudonymiser.subjectDigest('t1', 'PATIENT', 'dr.ada')).not.toBe(ada);
    expect(new Pseudonymiser(Buffer.alloc(32, 8)).subjectDigest('t1', 'PERSON', 'dr.ada')).not.toBe(ada);
  });

  it('is, for a patient, the digest of their pseudonym: a record naming them by pseudonym meets the hold', () => {
    const pseudonym = pseudonymiser.pseudonymise('t1', 'MRN-1');
    expect(pseudonymiser.subjectDigest('t1', 'PATIENT', 'MRN-1')).toBe(
      pseudonymiser.patientPseudonymDigest('t1', pseudonym),
    );
    expect(pseudonymiser.subjectDigest('t1', 'PATIENT', 'MRN-1')).not.toBe(pseudonym);
    expect(pseudonymiser.subjectDigest('t1', 'PATIENT', 'MRN-1')).toMatch(/^[0-9a-f]{64}$/);
  });
});
