import type { AuditEvent } from '@medplum/fhirtypes';
import { pseudonymisedAuditEvent } from './audit-event-pseudonyms';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unbase64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');
/** A stand-in for the keyed pseudonym that, like it, does not contain the id: the tests check where it lands. */
const pseudonym = (id: string) => `pseudo-${Buffer.from(id).toString('hex')}`;
/** Expected text, written with PSEUDO(<id>) where the pseudonym of <id> belongs. */
const shown = (text: string) => text.replace(/PSEUDO\(([^)]*)\)/g, (_, id: string) => pseudonym(id));
const PATIENT_ROLE = { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' };
const QUERY_ROLE = { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24' };
const MR = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };

const event = (overrides: Partial<AuditEvent>): AuditEvent => ({
  resourceType: 'AuditEvent',
  type: { code: 'rest' },
  recorded: '2026-03-14T09:05:00Z',
  agent: [{ who: { display: 'John Smith' }, requestor: true }],
  source: { observer: { display: 'ehr' } },
  ...overrides,
});

describe('keeping an AuditEvent with its patient identifiers pseudonymised', () => {
  it('replaces a Patient reference, relative, absolute or versioned, keeping the rest of the reference', () => {
    const { resource, patientIds, unsafe } = pseudonymisedAuditEvent(
      event({
        entity: [
          { what: { reference: 'Patient/p-1' }, role: PATIENT_ROLE },
          { what: { reference: 'https://ehr.example/fhir/Patient/p-1/_history/2' } },
        ],
      }),
      pseudonym,
    );
    expect(resource.entity!.map((e) => e.what?.reference)).toEqual([
      shown('Patient/PSEUDO(p-1)'),
      shown('https://ehr.example/fhir/Patient/PSEUDO(p-1)/_history/2'),
    ]);
    expect(patientIds).toEqual(['p-1']);
    expect(unsafe).toEqual([]);
  });

  it('replaces the identifier of the patient entity, an identifier typed MR, and a non-requesting patient agent', () => {
    const { resource } = pseudonymisedAuditEvent(
      event({
        agent: [
          { who: { display: 'John Smith' }, requestor: true },
          { who: { identifier: { type: MR, value: 'mrn-2' } }, requestor: false },
        ],
        entity: [{ what: { identifier: { system: 'urn:oid:1.2.3', value: 'mrn-2' } }, role: PATIENT_ROLE }],
      }),
      pseudonym,
    );
    expect(resource.entity![0].what!.identifier).toEqual({
      system: 'urn:oid:1.2.3',
      value: pseudonym('mrn-2'),
    });
    expect(resource.agent![1].who!.identifier!.value).toBe(pseudonym('mrn-2'));
  });

  it("replaces the patient in BALP's raw GET request and its readable description, and nothing else of them", () => {
    const request =
      'GET test.fhir.org/r4/Observation?patient=ex-patient&_lastUpdated=gt2020-11-06T21:52:30.300Z&_count=10\nAccept: application/fhir+json; fhirVersion=4.0\n';
    const { resource } = pseudonymisedAuditEvent(
      event({ entity: [{ role: QUERY_ROLE, query: base64(request), description: request.trimEnd() }] }),
      pseudonym,
    );
    const expected = request.replace('patient=ex-patient', `patient=${pseudonym('ex-patient')}`);
    expect(unbase64(resource.entity![0].query)).toBe(expected);
    expect(resource.entity![0].description).toBe(expected.trimEnd());
  });

  it.each([
    [
      'subject as a reference',
      'GET /Observation?subject=Patient/p-3',
      'GET /Observation?subject=Patient/PSEUDO(p-3)',
    ],
    [
      'a chained, modified patient',
      'GET /Observation?subject:Patient=p-3,p-4',
      'GET /Observation?subject:Patient=PSEUDO(p-3),PSEUDO(p-4)',
    ],
    [
      'a patient token',
      'GET /Observation?patient.identifier=urn:oid:1|p-3',
      'GET /Observation?patient.identifier=urn:oid:1|PSEUDO(p-3)',
    ],
    [
      'a Patient search by anything but control parameters',
      'GET /Patient?identifier=p-3&birthdate=1970-01-01&_count=5',
      'GET /Patient?identifier=PSEUDO(p-3)&birthdate=PSEUDO(1970-01-01)&_count=5',
    ],
    [
      'a compartment',
      'GET /fhir/Patient/p-3/Observation?code=1',
      'GET /fhir/Patient/PSEUDO(p-3)/Observation?code=1',
    ],
    ['a percent-encoded value', 'GET /Observation?patient=p%2D3', 'GET /Observation?patient=PSEUDO(p-3)'],
    [
      'a POST search form body',
      'POST /r4/Observation/_search HTTP/1.1\nHost: x\n\npatient=p-3&_count=10\n',
      'POST /r4/Observation/_search HTTP/1.1\nHost: x\n\npatient=PSEUDO(p-3)&_count=10\n',
    ],
  ])('replaces %s in a raw request', (_, request, expected) =>
    expect(
      unbase64(
        pseudonymisedAuditEvent(event({ entity: [{ query: base64(request) }] }), pseudonym).resource
          .entity![0].query,
      ),
    ).toBe(shown(expected)),
  );

  it("replaces the patient id a SAML token's resource-id attribute carries in entity.detail", () => {
    const { resource } = pseudonymisedAuditEvent(
      event({
        entity: [
          {
            what: { identifier: { value: 'urn:uuid:a4b1d27e-5493-11ec-bf63-0242ac130002' } },
            detail: [
              { type: 'urn:ihe:iti:xua:2012:acp', valueString: 'urn:oid:1.2.3.4' },
              {
                type: 'urn:oasis:names:tc:xacml:2.0:resource:resource-id',
                valueString: '500000000^^^&2.16&ISO',
              },
            ],
          },
        ],
      }),
      pseudonym,
    );
    expect(resource.entity![0].detail).toEqual([
      { type: 'urn:ihe:iti:xua:2012:acp', valueString: 'urn:oid:1.2.3.4' },
      {
        type: 'urn:oasis:names:tc:xacml:2.0:resource:resource-id',
        valueString: pseudonym('500000000^^^&2.16&ISO'),
      },
    ]);
  });

  it('reports free text about the patient, and any other element still naming a replaced id', () => {
    const { unsafe } = pseudonymisedAuditEvent(
      event({
        outcomeDesc: 'denied for p-5',
        entity: [
          { what: { reference: 'Patient/p-5', display: 'Jane Doe' }, role: PATIENT_ROLE },
          { what: { reference: 'List/l-1' }, detail: [{ type: 'note', valueString: 'p-5;other' }] },
        ],
      }),
      pseudonym,
    );
    expect(unsafe.map((u) => u.element)).toEqual([
      'AuditEvent.entity[0].what.display',
      'AuditEvent.outcomeDesc',
      'AuditEvent.entity[1].detail[0].valueString',
    ]);
    expect(JSON.stringify(unsafe)).not.toContain('p-5');
  });

  it('reports a contained resource, which could hold a patient with a name and a birth date', () =>
    expect(
      pseudonymisedAuditEvent(
        event({ contained: [{ resourceType: 'Patient', id: 'p', name: [{ family: 'Doe' }] }] }),
        pseudonym,
      ).unsafe.map((u) => u.element),
    ).toEqual(['AuditEvent.contained']));

  it('leaves a record without a patient as it is', () => {
    const sent = event({ entity: [{ what: { reference: 'MeasureReport/m-1' } }] });
    expect(pseudonymisedAuditEvent(sent, pseudonym)).toEqual({ resource: sent, patientIds: [], unsafe: [] });
  });
});
