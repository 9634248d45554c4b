import type { AuditEvent } from '@medplum/fhirtypes';
import { auditEventToIngestItem, elementOfField } from './audit-event-ingest';

const base = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  resourceType: 'AuditEvent',
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  action: 'R',
  recorded: '2026-03-14T09:05:00Z',
  outcome: '0',
  purposeOfEvent: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
  ],
  agent: [{ who: { identifier: { value: 'dr.bob' } }, requestor: true }],
  source: { observer: { display: 'ehr' } },
  entity: [{ what: { reference: 'Observation/obs-1' } }],
  ...overrides,
});

describe('reading a BALP AuditEvent into a DataAccessed ingest item', () => {
  it('takes the time of the access from period.start before recorded, and maps outcome 4 to denied', () =>
    expect(
      auditEventToIngestItem(base({ period: { start: '2026-03-14T09:00:00Z' }, outcome: '4' }), 'svc').item,
    ).toMatchObject({
      occurredAt: '2026-03-14T09:00:00Z',
      data: { outcome: 'denied', resource: 'Observation/obs-1' },
    }));

  it('reads the patient from a versioned reference and a dataset from its identifier system', () =>
    expect(
      auditEventToIngestItem(
        base({
          entity: [
            { what: { reference: 'Patient/p-7/_history/2' } },
            { what: { identifier: { system: 'urn:govledger:dataset', value: 'icu-vitals' } } },
          ],
        }),
        'svc',
      ).item?.data,
    ).toEqual({
      actor: 'dr.bob',
      action: 'R',
      purposeOfUse: 'TREAT',
      outcome: 'success',
      patientId: 'p-7',
      datasetId: 'icu-vitals',
    }));

  it('records a read of the patient resource itself as a read of Patient', () =>
    expect(
      auditEventToIngestItem(base({ entity: [{ what: { reference: 'Patient/p-7' } }] }), 'svc').item?.data,
    ).toMatchObject({ resource: 'Patient', patientId: 'p-7' }));

  it('keeps an emitter UUID as the event id, and derives a stable one per emitter otherwise', () => {
    const uuid = '3f2b8c1e-9d4a-4e6f-8a7b-1c2d3e4f5a6b';
    expect(auditEventToIngestItem(base({ id: uuid }), 'svc').item?.eventId).toBe(uuid);
    const once = auditEventToIngestItem(base({ id: 'ae-1' }), 'svc').item?.eventId;
    expect(auditEventToIngestItem(base({ id: 'ae-1' }), 'svc').item?.eventId).toBe(once);
    expect(auditEventToIngestItem(base({ id: 'ae-1' }), 'other-svc').item?.eventId).not.toBe(once);
  });

  it('never takes a free-text display as the resource: it may name a person', () =>
    expect(
      auditEventToIngestItem(base({ entity: [{ what: { display: "Jane Doe's chart" } }] }), 'svc').issues,
    ).toEqual([expect.objectContaining({ expression: ['AuditEvent.entity[0].what'] })]));

  it('names elements under the path it is given, as for a Bundle entry', () => {
    expect(
      auditEventToIngestItem(base({ purposeOfEvent: undefined }), 'svc', 'Bundle.entry[3].resource').issues[0]
        .expression,
    ).toEqual(['Bundle.entry[3].resource.purposeOfEvent']);
    expect(elementOfField('data.action', 'Bundle.entry[3].resource')).toBe('Bundle.entry[3].resource.action');
  });
  it('reads a patient referenced by full URL as the patient, so only its pseudonym is stored', () =>
    expect(
      auditEventToIngestItem(
        base({ entity: [{ what: { reference: 'https://ehr.example/fhir/Patient/p-8' } }] }),
        'svc',
      ).item?.data,
    ).toMatchObject({ patientId: 'p-8', resource: 'Patient' }));

  it.each([
    ['a full-URL Patient reference', { who: { reference: 'https://ehr.example/fhir/Patient/p-9' } }],
    ['a Patient search', { who: { reference: 'Patient?identifier=p-9' } }],
    [
      'an identifier of type MR',
      {
        who: {
          identifier: {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
            value: 'p-9',
          },
        },
      },
    ],
    [
      'an agent of type PAT',
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PAT' }] },
        who: { identifier: { value: 'p-9' } },
      },
    ],
  ])('refuses a patient as the requesting agent, named by %s', (_, agent) => {
    const { item, issues } = auditEventToIngestItem(base({ agent: [{ ...agent, requestor: true }] }), 'svc');
    expect(item).toBeUndefined();
    expect(issues).toEqual([
      expect.objectContaining({ code: 'not-supported', expression: ['AuditEvent.agent[0].who'] }),
    ]);
  });

  it.each([
    ['an empty string', { entity: '' }, 'AuditEvent.entity'],
    ['an empty object', { entity: {} }, 'AuditEvent.entity'],
    ['an empty coding', { purposeOfEvent: [{ coding: {} }] }, 'AuditEvent.purposeOfEvent[0].coding'],
    ['an empty role', { agent: [{ role: {}, requestor: true }] }, 'AuditEvent.agent[0].role'],
  ])('refuses %s in place of an element, which the R4 validator takes for absent', (_, override, element) =>
    expect(auditEventToIngestItem({ ...base(), ...override }, 'svc').issues).toEqual([
      expect.objectContaining({ code: 'invalid', expression: [element] }),
    ]),
  );
});
