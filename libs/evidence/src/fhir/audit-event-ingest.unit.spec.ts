import type { AuditEvent } from '@medplum/fhirtypes';
import { AUDIT_EVENT_MAX_BYTES, auditEventToIngestItem, elementOfField } from './audit-event-ingest';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

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
      auditEventToIngestItem(base({ action: undefined }), 'svc', 'Bundle.entry[3].resource').issues[0]
        .expression,
    ).toEqual(['Bundle.entry[3].resource.action']);
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

  // Found by the fuzz suite: the R4 validator calls the `valueOf` it finds on an object sent as a primitive, and threw.
  it.each([
    ['an id whose valueOf is null', { id: { valueOf: null } }, 'AuditEvent.id.valueOf'],
    ['an outcome whose toString is a number', { outcome: { toString: 1 } }, 'AuditEvent.outcome.toString'],
    [
      'an entity named constructor',
      { entity: [{ constructor: { what: 1 } }] },
      'AuditEvent.entity[0].constructor',
    ],
  ])('refuses %s, naming it, where the validator would fail', (_, override, element) =>
    expect(auditEventToIngestItem({ ...base(), ...(override as object) }, 'svc').issues).toEqual([
      expect.objectContaining({
        code: 'invalid',
        expression: [element],
        diagnostics: expect.stringMatching(/is not an element of any FHIR resource$/),
      }),
    ]),
  );

  // BALP makes purposeOfEvent optional (its Read, Query and Create examples carry none): recorded as unknown.
  it('records an access without purposeOfEvent or purposeOfUse as of purpose UNK', () =>
    expect(auditEventToIngestItem(base({ purposeOfEvent: undefined }), 'svc').item?.data.purposeOfUse).toBe(
      'UNK',
    ));

  it("takes the requestor's purposeOfUse when the event has no purposeOfEvent", () =>
    expect(
      auditEventToIngestItem(
        base({
          purposeOfEvent: undefined,
          agent: [
            {
              who: { identifier: { value: 'dr.bob' } },
              requestor: true,
              purposeOfUse: [{ coding: [{ code: 'ETREAT' }] }],
            },
          ],
        }),
        'svc',
      ).item?.data.purposeOfUse,
    ).toBe('ETREAT'));

  it("accepts BALP's X-Request-Id entity, which names nothing accessed", () =>
    expect(
      auditEventToIngestItem(
        base({
          entity: [
            { what: { reference: 'Observation/obs-1' } },
            {
              what: { identifier: { value: '76d148b6-586d-11ec-bf63-0242ac130002' } },
              type: {
                system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
                code: 'XrequestId',
              },
            },
          ],
        }),
        'svc',
      ).item?.data.resource,
    ).toBe('Observation/obs-1'));

  it.each([
    [
      'a GET with a scheme-less server',
      'GET test.fhir.org/r4/Observation?patient=p-1&_count=10\nAccept: application/fhir+json\n',
    ],
    ['a GET with a full URL', 'GET https://ehr.example/fhir/Observation?subject=Patient/p-1 HTTP/1.1\n'],
    ['a POST search', 'POST /r4/Observation/_search HTTP/1.1\nHost: x\n\npatient=p-1&_count=10\n'],
    ['a patient compartment search', 'GET /fhir/Patient/p-1/Observation?code=8867-4 HTTP/1.1\n'],
    ['the bare form', 'Observation?patient=p-1'],
  ])("reads BALP's base64 raw request, %s, as its resource type only", (_, request) =>
    expect(
      auditEventToIngestItem(base({ entity: [{ query: base64(request) }] }), 'svc').item?.data.resource,
    ).toBe('Observation'),
  );

  it('refuses a record larger than the ledger keeps, naming the limit', () => {
    const issues = auditEventToIngestItem(
      base({ outcomeDesc: 'x'.repeat(AUDIT_EVENT_MAX_BYTES) }),
      'svc',
    ).issues;
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'too-costly',
        expression: ['AuditEvent'],
        diagnostics: expect.stringContaining('65536'),
      }),
    ]);
  });

  it('refuses a record that names its patient where no pseudonym can replace it, without quoting the id', () => {
    const { item, issues } = auditEventToIngestItem(
      base({
        entity: [{ what: { reference: 'Patient/MRN-4711' } }],
        outcomeDesc: 'chart of MRN-4711 opened',
      }),
      'svc',
    );
    expect(item).toBeUndefined();
    expect(issues).toEqual([
      expect.objectContaining({ code: 'not-supported', expression: ['AuditEvent.outcomeDesc'] }),
    ]);
    expect(JSON.stringify(issues)).not.toContain('MRN-4711');
  });
});
