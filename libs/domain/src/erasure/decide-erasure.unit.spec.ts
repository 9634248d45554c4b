import type { ErasableValues } from '@ledger/integrity';
import { DomainError } from '../shared/domain-error';
import { decideErasure, findErasures, type ErasableEventView, type RequestErasure } from './decide-erasure';
import { ERASED_EVENTS_PER_RECORD } from './events';

const SALT = 'ab'.repeat(32);
const PSEUDONYM = '12'.repeat(32);
const OTHER_PATIENT = '34'.repeat(32);
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function event(n: number, values: ErasableValues, systemId?: string): ErasableEventView {
  return { eventId: uuid(n), data: systemId ? { systemId } : {}, sealed: { values } };
}
const person = (value: string) => ({ kind: 'person' as const, salt: SALT, value });

const request = (overrides: Partial<RequestErasure> = {}): RequestErasure => ({
  erasureId: uuid(999),
  subject: { kind: 'PERSON', id: 'dr.ada' },
  subjectDigest: 'cd'.repeat(32),
  legalBasis: 'GDPR Art 17(1)(a)',
  requestedBy: 'dr.ada',
  rationale: 'left the organisation',
  caller: { id: 'dpo.dora', role: 'data-protection-officer' },
  found: [{ eventId: uuid(1), pointers: ['/metadata/actor/id'], systemId: 'sepsis' }],
  blockingHolds: [],
  ...overrides,
});

function refusal(command: RequestErasure): DomainError {
  try {
    decideErasure(command);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the erasure was decided, not refused');
}

describe('finding what an erasure takes out', () => {
  it("finds a person's name in every spelling, and nobody else's", () => {
    const found = findErasures({ kind: 'PERSON', id: 'dr.ada' }, [
      event(1, { '/metadata/actor/id': person(' Dr.Ada '), '/data/assignee': person('dr.bob') }, 'sepsis'),
      event(2, { '/metadata/actor/id': person('dr.bob') }),
      event(3, { '/data/actor': person('DR.ADA'.normalize('NFD')) }),
    ]);
    expect(found).toEqual([
      { eventId: uuid(1), pointers: ['/metadata/actor/id'], systemId: 'sepsis' },
      { eventId: uuid(3), pointers: ['/data/actor'] },
    ]);
  });

  it('takes out a kept FHIR AuditEvent that names the person, since it repeats the name inside', () => {
    const fhir = { resourceType: 'AuditEvent', agent: [{ who: { display: 'Dr.Ada' } }] };
    const found = findErasures({ kind: 'PERSON', id: 'dr.ada' }, [
      event(1, {
        '/data/actor': person('dr.ada'),
        '/data/fhir/resource': { kind: 'patient', salt: SALT, value: fhir },
        '/data/patientPseudonym': { kind: 'patient', salt: SALT, value: PSEUDONYM },
      }),
    ]);
    expect(found[0].pointers).toEqual(['/data/actor', '/data/fhir/resource']);
  });

  it("takes out every patient value of an event that holds the patient's pseudonym, and only those events", () => {
    const found = findErasures({ kind: 'PATIENT', pseudonym: PSEUDONYM }, [
      event(1, {
        '/data/actor': person('dr.ada'),
        '/data/patientPseudonym': { kind: 'patient', salt: SALT, value: PSEUDONYM },
        '/data/fhir/resource': { kind: 'patient', salt: SALT, value: { resourceType: 'AuditEvent' } },
      }),
      event(2, { '/data/patientPseudonym': { kind: 'patient', salt: SALT, value: OTHER_PATIENT } }),
    ]);
    expect(found).toEqual([
      { eventId: uuid(1), pointers: ['/data/fhir/resource', '/data/patientPseudonym'] },
    ]);
  });

  it('takes out the free text only of the events the officer names', () => {
    const text = { kind: 'text' as const, salt: SALT, value: 'Dr Ada said the patient...' };
    const found = findErasures(
      { kind: 'PERSON', id: 'dr.ada' },
      [event(1, { '/data/description': text }), event(2, { '/data/description': text })],
      new Set([uuid(2)]),
    );
    expect(found).toEqual([{ eventId: uuid(2), pointers: ['/data/description'] }]);
  });

  it('does not find again what is already erased, so a repeated request erases nothing', () => {
    expect(
      findErasures({ kind: 'PERSON', id: 'dr.ada' }, [event(1, { '/data/actor': { kind: 'person' } })]),
    ).toEqual([]);
  });
});

describe('deciding an erasure', () => {
  it('records the decision with the subject by digest only, and the list of what was erased', () => {
    const [recorded] = decideErasure(request());
    expect(recorded).toEqual({
      type: 'ErasureRecorded',
      data: {
        erasureId: uuid(999),
        subject: { kind: 'PERSON', digest: 'cd'.repeat(32) },
        legalBasis: 'GDPR Art 17(1)(a)',
        requestedBy: 'the data subject',
        decidedBy: 'dpo.dora',
        rationale: 'left the organisation',
        systemId: 'sepsis',
        part: 1,
        parts: 1,
        totalEvents: 1,
        totalValues: 1,
        erased: [{ eventId: uuid(1), pointers: ['/metadata/actor/id'] }],
      },
    });
    expect(JSON.stringify(recorded).toLowerCase()).not.toContain('dr.ada');
  });

  it('names a requester other than the subject as given', () =>
    expect(decideErasure(request({ requestedBy: 'counsel.carol' }))[0].data.requestedBy).toBe(
      'counsel.carol',
    ));

  it('records one part per system, and splits a long list, so each system bundle carries its own', () => {
    const many = Array.from({ length: ERASED_EVENTS_PER_RECORD + 1 }, (_, i) => ({
      eventId: uuid(i + 1),
      pointers: ['/metadata/actor/id'],
      systemId: 'sepsis',
    }));
    const events = decideErasure(
      request({ found: [...many, { eventId: uuid(9000), pointers: ['/data/actor'] }] }),
    );
    expect(events.map((e) => [e.data.systemId, e.data.part, e.data.parts, e.data.erased.length])).toEqual([
      [undefined, 1, 3, 1],
      ['sepsis', 2, 3, ERASED_EVENTS_PER_RECORD],
      ['sepsis', 3, 3, 1],
    ]);
    expect(events.every((e) => e.data.totalEvents === ERASED_EVENTS_PER_RECORD + 2)).toBe(true);
  });

  it('records an erasure that found nothing: the request was answered', () =>
    expect(decideErasure(request({ found: [] }))[0].data).toMatchObject({ totalEvents: 0, erased: [] }));

  it('refuses anyone but a data protection officer, even a governance admin', () =>
    expect(refusal(request({ caller: { id: 'admin.grace', role: 'governance-admin' } })).code).toBe(
      'NOT_DATA_PROTECTION_OFFICER',
    ));

  it.each(['dpo.dora', 'DPO.Dora', ' dpo.dora ', 'dpo.dora'.normalize('NFD')])(
    'refuses an officer erasing themselves, spelt %j',
    (spelling) =>
      expect(refusal(request({ subject: { kind: 'PERSON', id: spelling } }))).toMatchObject({
        code: 'SELF_ERASURE',
        field: 'subject',
      }),
  );

  it.each(['', '   ', undefined])(
    'refuses a request whose requester is %j, naming requestedBy',
    (requestedBy) =>
      expect(refusal(request({ requestedBy: requestedBy as string }))).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'requestedBy',
      }),
  );

  it('refuses while a legal hold covers the subject or a system touched, naming the hold', () => {
    const error = refusal(request({ blockingHolds: ['hold-litigation-7'] }));
    expect(error.code).toBe('LEGAL_HOLD');
    expect(error.message).toContain('hold-litigation-7');
  });

  it('refuses a blank legal basis, naming the field', () =>
    expect(refusal(request({ legalBasis: ' ' })).details?.problems?.[0].field).toBe('/legalBasis'));
});
