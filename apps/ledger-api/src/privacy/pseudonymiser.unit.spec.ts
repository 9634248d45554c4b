import { createHmac } from 'node:crypto';
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

describe('the digest that names an erasure or legal-hold subject', () => {
  const pseudonymiser = new Pseudonymiser(key);

  it('is one digest for every spelling of a person', () => {
    const digest = pseudonymiser.subjectDigest('t1', 'PERSON', 'dr.ada');
    for (const spelling of ['Dr.Ada', ' DR.ADA ', 'dr.ada'.normalize('NFD')])
      expect(pseudonymiser.subjectDigest('t1', 'PERSON', spelling)).toBe(digest);
    expect(pseudonymiser.subjectDigest('t1', 'PERSON', 'dr.bob')).not.toBe(digest);
  });

  it('differs per tenant and per kind, and is never the pseudonym or the raw id', () => {
    const digest = pseudonymiser.subjectDigest('t1', 'PATIENT', 'MRN-1');
    expect(pseudonymiser.subjectDigest('t2', 'PATIENT', 'MRN-1')).not.toBe(digest);
    expect(pseudonymiser.subjectDigest('t1', 'PERSON', 'MRN-1')).not.toBe(digest);
    expect(digest).not.toBe(pseudonymiser.pseudonymise('t1', 'MRN-1'));
  });

  it("is of the patient's pseudonym: HMAC over tenant, kind and pseudonym under the subject key", () => {
    const subjectKey = createHmac('sha256', key).update('govledger subject digest').digest();
    const pseudonym = pseudonymiser.pseudonymise('t1', 'MRN-1');
    expect(pseudonymiser.subjectDigest('t1', 'PATIENT', 'MRN-1')).toBe(
      createHmac('sha256', subjectKey).update(`t1\0PATIENT\0${pseudonym}`).digest('hex'),
    );
  });
});
