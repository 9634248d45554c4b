import { tenantEventId } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { AuditEvent, Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { Pseudonymiser } from '../../apps/ledger-api/src/privacy/pseudonymiser';
import { collect } from '../support/events';
import { auditedSystem } from '../support/governance';
import { startTestApi, type TestApi } from '../support/ledger-api';

const EMITTER = 'svc.fhir';
const MRN = 'MRN-998877';
const coding = (system: string, code: string, display?: string) => ({
  system,
  code,
  ...(display ? { display } : {}),
});
const patientEntity = {
  what: { reference: `Patient/${MRN}` },
  type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '1', 'Person'),
  role: coding('http://terminology.hl7.org/CodeSystem/object-role', '1', 'Patient'),
};
const dataEntity = (reference: string) => ({
  what: { reference },
  type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '2', 'System Object'),
  role: coding('http://terminology.hl7.org/CodeSystem/object-role', '4', 'Domain Resource'),
});

/** Shaped after the IHE BALP examples: the REST interaction, the user and the client machine as agents, the server as source. */
function balp(
  pattern: 'PatientRead' | 'PatientQuery' | 'PatientCreate',
  overrides: Partial<AuditEvent> = {},
): AuditEvent {
  const interaction = {
    PatientRead: ['read', 'R'],
    PatientQuery: ['search', 'E'],
    PatientCreate: ['create', 'C'],
  }[pattern];
  const entity =
    pattern === 'PatientQuery'
      ? [
          patientEntity,
          {
            type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '2'),
            role: coding('http://terminology.hl7.org/CodeSystem/object-role', '24', 'Query'),
            query: Buffer.from(`Observation?patient=Patient/${MRN}&code=8867-4`).toString('base64'),
          },
        ]
      : [patientEntity, dataEntity(pattern === 'PatientRead' ? 'Observation/obs-42' : 'Observation/obs-43')];
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    meta: { profile: [`https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.${pattern}`] },
    type: coding('http://terminology.hl7.org/CodeSystem/audit-event-type', 'rest', 'Restful Operation'),
    subtype: [coding('http://hl7.org/fhir/restful-interaction', interaction[0])],
    action: interaction[1] as AuditEvent['action'],
    recorded: '2026-03-14T09:00:00.000Z',
    outcome: '0',
    purposeOfEvent: [{ coding: [coding('http://terminology.hl7.org/CodeSystem/v3-ActReason', 'TREAT')] }],
    agent: [
      {
        type: { coding: [coding('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'IRCP')] },
        who: { identifier: { value: 'dr.bob' } },
        requestor: true,
      },
      {
        type: {
          coding: [coding('http://dicom.nema.org/resources/ontology/DCM', '110153', 'Source Role ID')],
        },
        who: { display: 'ward-3-workstation' },
        requestor: false,
        network: { address: '10.1.2.3', type: '2' },
      },
      ...(pattern === 'PatientQuery'
        ? [
            {
              who: { identifier: { system: 'urn:govledger:ai-system', value: 'sepsis-predictor' } },
              requestor: false,
            },
          ]
        : []),
    ],
    source: {
      site: 'ehr.hospital.example',
      observer: { display: 'ehr.hospital.example' },
      type: [coding('http://terminology.hl7.org/CodeSystem/security-source-type', '4')],
    },
    entity,
    ...overrides,
  } as AuditEvent;
}

describe('FHIR AuditEvent ingest (POST /fhir/AuditEvent)', () => {
  let api: TestApi;
  let post: (
    body: unknown,
    contentType?: string,
  ) => Promise<{ status: number; location: string | null; body: any }>;
  const stored = async () =>
    (await collect(api.store.readStream(`default/data-access-${EMITTER}`))) as StoredEvent[];

  beforeAll(async () => {
    api = await startTestApi('sqlite');
    await auditedSystem(api, 'sepsis-predictor', [EMITTER]);
    const token = await api.token(EMITTER, 'emitter');
    post = async (body, contentType = 'application/fhir+json') => {
      const response = await fetch(`${api.url}/fhir/AuditEvent`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return {
        status: response.status,
        location: response.headers.get('location'),
        body: await response.json(),
      };
    };
  });
  afterAll(() => api.close());

  it.each([
    ['PatientRead', { action: 'R', resource: 'Observation/obs-42' }],
    ['PatientQuery', { action: 'E', resource: 'Observation', systemId: 'sepsis-predictor' }],
    ['PatientCreate', { action: 'C', resource: 'Observation/obs-43' }],
  ] as const)(
    'accepts the BALP %s pattern as a DataAccessed event with the patient pseudonymised',
    async (pattern, expected) => {
      const audit = balp(pattern);
      const response = await post(audit);
      expect(response.status).toBe(201);
      // The ledger assigns the id, as a FHIR server does on create: the emitter's id made unique to its tenant.
      expect(response.location).toBe(`AuditEvent/${tenantEventId('default', audit.id!)}`);
      expect((response.body as OperationOutcome).issue[0]).toMatchObject({
        severity: 'information',
        diagnostics: expect.stringContaining('recorded as DataAccessed event'),
      });

      const event = (await stored()).find((e) => e.metadata.emitterEventId === audit.id)!;
      const pseudonym = Pseudonymiser.load(api.dataDir).pseudonymise('default', MRN);
      expect(event).toMatchObject({
        type: 'DataAccessed',
        metadata: { occurredAt: '2026-03-14T09:00:00.000Z', actor: { id: EMITTER } },
      });
      expect(event.data).toEqual({
        actor: 'dr.bob',
        purposeOfUse: 'TREAT',
        outcome: 'success',
        sourceService: EMITTER,
        patientPseudonym: pseudonym,
        ...expected,
        // The AuditEvent itself is kept, the patient replaced by the same pseudonym (balp-examples.e2e.spec.ts reads it back).
        fhir: {
          resource: expect.objectContaining({ resourceType: 'AuditEvent', id: audit.id }),
          digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      });
      expect(JSON.stringify({ ...event, position: String(event.position) })).not.toContain(MRN);
    },
  );

  it('answers a resend of the same AuditEvent as already recorded, storing it once', async () => {
    const audit = balp('PatientRead');
    expect((await post(audit)).status).toBe(201);
    const again = await post(audit, 'application/json');
    expect(again.status).toBe(200);
    expect(again.body.issue[0].diagnostics).toContain('already recorded');
    expect((await stored()).filter((e) => e.metadata.emitterEventId === audit.id)).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing recorded time', { recorded: undefined }, 'AuditEvent.recorded'],
    ['an element R4 does not have', { bogus: true }, 'AuditEvent.bogus'],
    ['an action outside C/R/U/D/E', { action: 'Q' }, 'AuditEvent.action'],
    [
      'no requesting agent',
      { agent: [{ who: { identifier: { value: 'dr.bob' } }, requestor: false }] },
      'AuditEvent.agent',
    ],
    [
      'a patient as the requesting agent',
      { agent: [{ who: { reference: `Patient/${MRN}` }, requestor: true }] },
      'AuditEvent.agent[0].who',
    ],
    ['nothing named as accessed', { entity: undefined }, 'AuditEvent.entity'],
    [
      'an unparseable query',
      { entity: [{ query: Buffer.from('?x=1').toString('base64') }] },
      'AuditEvent.entity[0].query',
    ],
    ['a resource that is not an AuditEvent', { resourceType: 'Patient' }, 'AuditEvent.resourceType'],
  ])('rejects %s with a 400 OperationOutcome naming the element', async (_, change, expression) => {
    const before = (await stored()).length;
    const response = await post({ ...balp('PatientRead'), ...change });
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue).toEqual(
      expect.arrayContaining([expect.objectContaining({ severity: 'error', expression: [expression] })]),
    );
    expect(JSON.stringify(response.body)).not.toContain(MRN);
    expect((await stored()).length).toBe(before);
  });

  it('refuses a body that is not JSON', async () => {
    expect((await post('{"resourceType":')).status).toBe(400);
  });

  it('answers a batch entry by entry: the good ones stored, the bad one named', async () => {
    const [read, create] = [balp('PatientRead'), balp('PatientCreate')];
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [read, { ...balp('PatientQuery'), recorded: 'yesterday' }, create].map((resource) => ({
        resource,
        request: { method: 'POST', url: 'AuditEvent' },
      })),
    };
    const response = await post(bundle);
    expect(response.status).toBe(200);
    expect(response.body.type).toBe('batch-response');
    expect(response.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '201 Created',
      '400 Bad Request',
      '201 Created',
    ]);
    expect(response.body.entry[1].response.outcome.issue[0].expression).toEqual([
      'Bundle.entry[1].resource.recorded',
    ]);
    expect((await stored()).map((e) => e.metadata.emitterEventId)).toEqual(
      expect.arrayContaining([read.id, create.id]),
    );
  });

  it('applies a transaction all or nothing', async () => {
    const before = (await stored()).length;
    const entries = (resources: AuditEvent[]) =>
      resources.map((resource) => ({ resource, request: { method: 'POST' as const, url: 'AuditEvent' } }));
    const refused = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: entries([balp('PatientRead'), { ...balp('PatientCreate'), recorded: 'yesterday' }]),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.issue).toEqual([
      expect.objectContaining({ expression: ['Bundle.entry[1].resource.recorded'] }),
    ]);
    expect((await stored()).length).toBe(before);

    const accepted = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: entries([balp('PatientRead'), balp('PatientQuery')]),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.type).toBe('transaction-response');
    expect((await stored()).length).toBe(before + 2);
  });

  it('refuses other Bundle types and entries that do not create an AuditEvent', async () => {
    const collection = await post({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: balp('PatientRead') }],
    });
    expect(collection.status).toBe(400);
    expect(collection.body.issue[0].expression).toEqual(['Bundle.type']);
    const update = await post({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ resource: balp('PatientRead'), request: { method: 'PUT', url: 'AuditEvent/1' } }],
    });
    expect(update.body.entry[0].response.outcome.issue[0].expression).toEqual(['Bundle.entry[0].request']);
  });

  it('is for emitters only', async () => {
    const token = await api.token('auditor.amy', 'auditor');
    const response = await fetch(`${api.url}/fhir/AuditEvent`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify(balp('PatientRead')),
    });
    expect(response.status).toBe(403);
  });
});
