import { randomUUID } from 'node:crypto';
import { auditedSystem } from '../support/governance';
import { startTestApi, type TestApi } from '../support/ledger-api';

const access = (systemId?: string) => ({
  eventId: randomUUID(),
  type: 'DataAccessed',
  occurredAt: '2026-03-14T09:00:00Z',
  data: {
    actor: 'dr.who',
    datasetId: 'icu-vitals',
    action: 'R',
    purposeOfUse: 'TREAT',
    outcome: 'success',
    ...(systemId ? { systemId } : {}),
  },
});

/**
 * Issue 17, item 5: an emitter that is not a system's audit source put data
 * accesses on that system's record (and made the takedown authority look
 * like a violator). Only the system's registered audit sources may name it.
 */
describe('data access names a system only from its registered audit source', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite');
    await auditedSystem(api, 'sepsis-predictor', ['ehr-gateway']);
    await auditedSystem(api, 'sepsis-predictor', ['lab-gateway'], 'hospital-b');
  });
  afterAll(() => api.close());

  it("refuses the item of an emitter that is not the audit source with NOT_AUDIT_SOURCE, stores the others, and takes the source's", async () => {
    const { status, body } = await api.post(
      '/v1/events',
      { events: [access('sepsis-predictor'), access(), access('no-such-system')] },
      'rogue-service',
    );
    expect(status).toBe(200);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      'rejected',
      'accepted',
      'rejected',
    ]);
    expect(body.results[0].error).toMatchObject({ code: 'NOT_AUDIT_SOURCE', field: 'data.systemId' });
    expect(body.results[0].error.message).toContain('registerAuditSource');
    expect(body.results[2].error.code).toBe('NOT_AUDIT_SOURCE');

    const source = await api.post('/v1/events', { events: [access('sepsis-predictor')] }, 'ehr-gateway');
    expect(source.body.results[0].status).toBe('accepted');
  });

  it('counts a registration from the moment it is stored, without waiting for any projection', async () => {
    await auditedSystem(api, 'ct-triage', []);
    const before = await api.post('/v1/events', { events: [access('ct-triage')] }, 'pacs-bridge');
    expect(before.body.results[0].error.code).toBe('NOT_AUDIT_SOURCE');
    const registered = await api.graphql(
      'mutation { registerAuditSource(input: { systemId: "ct-triage", sourceService: "pacs-bridge", expectedInterval: "P1D" }) { revision } }',
    );
    expect(registered.errors).toBeUndefined();
    const after = await api.post('/v1/events', { events: [access('ct-triage')] }, 'pacs-bridge');
    expect(after.body.results[0].status).toBe('accepted');
  });

  it("does not let a registration in one tenant speak for another tenant's system of the same name", async () => {
    const { body } = await api.post('/v1/events', { events: [access('sepsis-predictor')] }, 'lab-gateway');
    expect(body.results[0].error.code).toBe('NOT_AUDIT_SOURCE');
  });

  it('answers a FHIR AuditEvent naming a system it is not the source of with 403 forbidden', async () => {
    const token = await api.token('rogue-service', 'emitter');
    const response = await fetch(`${api.url}/fhir/AuditEvent`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        resourceType: 'AuditEvent',
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
        action: 'E',
        recorded: '2026-03-14T09:00:00Z',
        outcome: '0',
        purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }],
        agent: [
          { who: { identifier: { value: 'dr.who' } }, requestor: true },
          {
            who: { identifier: { system: 'urn:govledger:ai-system', value: 'sepsis-predictor' } },
            requestor: false,
          },
        ],
        source: { observer: { display: 'rogue' } },
        entity: [{ what: { reference: 'Observation/obs-1' } }],
      }),
    });
    expect(response.status).toBe(403);
    const outcome = (await response.json()) as any;
    expect(outcome.issue[0]).toMatchObject({
      code: 'forbidden',
      expression: ['AuditEvent.agent.who.identifier'],
    });
  });
});
