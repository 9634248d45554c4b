import { randomUUID } from 'node:crypto';
import { registerSystem } from '../support/governance';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/**
 * Text no store can hold faithfully (a lone UTF-16 surrogate; a NUL, which
 * PostgreSQL's text and jsonb refuse) is refused where it enters, as the
 * caller's mistake naming the field, on every write route and both stores.
 * One bad item never costs the other items of its batch.
 */
const LONE_SURROGATE = 'dr.\ud800ada';
const NUL = 'dr.\u0000ada';

const item = (actor: string) => ({
  eventId: randomUUID(),
  type: 'DataAccessed',
  occurredAt: '2026-03-14T09:00:00Z',
  data: { actor, datasetId: 'icu', patientId: 'p-1', action: 'R', purposeOfUse: 'TREAT', outcome: 'success' },
});

const auditEvent = (who: string) => ({
  resourceType: 'AuditEvent',
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  action: 'R',
  recorded: '2026-03-14T09:00:00Z',
  outcome: '0',
  agent: [{ who: { identifier: { value: who } }, requestor: true }],
  source: { observer: { display: 'ehr' } },
  entity: [{ what: { reference: 'Observation/1' } }],
  purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }],
});

describe.each<StoreKind>(['sqlite', 'postgres'])('ill-formed text on %s', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(kind, { LEDGER_CHECKPOINT_EVERY_MS: '100' });
    await registerSystem(api, 'sepsis-wf');
  }, 60_000);
  afterAll(() => api.close());

  it.each([
    ['a lone surrogate', LONE_SURROGATE],
    ['a NUL', NUL],
  ])(
    'POST /v1/events refuses only the item with %s in data.actor, naming the field, and stores the rest',
    async (_, bad) => {
      const good = item('dr.ada');
      const { status, body } = await api.post('/v1/events', { events: [item(bad), good] });
      expect(status).toBe(200);
      expect(body.results[0]).toMatchObject({
        status: 'rejected',
        error: { code: 'VALIDATION_FAILED', field: 'data.actor' },
      });
      expect(body.results[0].error.message).toMatch(/data\.actor/);
      expect(body.results[1]).toMatchObject({ status: 'accepted', eventId: good.eventId });
      // The resend is answered the same way: the good item is a duplicate, never a lasting failure.
      const again = await api.post('/v1/events', { events: [item(bad), good] });
      expect(again.status).toBe(200);
      expect(again.body.results[1]).toMatchObject({ status: 'duplicate' });
    },
  );

  it('POST /v1/events names the JSON path of bad text nested deep inside data', async () => {
    const nested = {
      ...item('dr.ada'),
      data: { ...item('dr.ada').data, extra: { notes: ['ok', 'a\ud83d'] } },
    };
    const { body } = await api.post('/v1/events', { events: [nested] });
    expect(body.results[0]).toMatchObject({ status: 'rejected', error: { field: 'data.extra.notes[1]' } });
  });

  it('POST /fhir/AuditEvent refuses a lone surrogate or a NUL with a 400 OperationOutcome naming the element', async () => {
    for (const bad of [LONE_SURROGATE, NUL]) {
      const { status, body } = await api.post('/fhir/AuditEvent', auditEvent(bad));
      expect(status).toBe(400);
      expect(body.resourceType).toBe('OperationOutcome');
      expect(body.issue[0].expression).toEqual(['AuditEvent.agent[0].who.identifier.value']);
    }
  });

  it('POST /fhir/AuditEvent answers an element sent as an empty string with 400 naming it, not 500', async () => {
    const { status, body } = await api.post('/fhir/AuditEvent', { ...auditEvent('dr.ada'), entity: '' });
    expect(status).toBe(400);
    expect(body.issue[0].expression).toEqual(['AuditEvent.entity']);
  });

  it('a FHIR batch answers the bad entry 400 and stores the good one', async () => {
    const { status, body } = await api.post('/fhir/AuditEvent', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: auditEvent(LONE_SURROGATE) },
        { resource: { ...auditEvent('dr.ada'), id: randomUUID() } },
      ],
    });
    expect(status).toBe(200);
    expect(body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '400 Bad Request',
      '201 Created',
    ]);
    expect(body.entry[0].response.outcome.issue[0].expression).toEqual([
      'Bundle.entry[0].resource.agent[0].who.identifier.value',
    ]);
  });

  it.each([
    ['a lone surrogate', LONE_SURROGATE],
    ['a NUL', NUL],
  ])(
    'a GraphQL mutation refuses %s in a variable with VALIDATION_FAILED naming the input field',
    async (_, bad) => {
      const head = await api.store.headPosition();
      const response = await api.graphql(
        'mutation($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { stream } }',
        {
          input: {
            systemId: 'wf-1',
            name: bad,
            intendedUse: 'triage',
            clinicalDomain: 'icu',
            riskClass: 'high',
            supplier: 'in_house',
            sites: ['north'],
          },
        },
      );
      expect(response.status).toBeLessThan(500);
      expect(response.errors?.[0].extensions).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'input.name',
      });
      expect(await api.store.headPosition()).toBe(head);
    },
  );

  it('a caller the policy refuses hears FORBIDDEN, whatever its arguments hold', async () => {
    const response = await api.graphql(
      'mutation($r: String) { exportEvidenceBundle(systemId: "sepsis-wf", recipient: $r) { exportId } }',
      { r: NUL },
      'svc.emitter',
      { authorization: `Bearer ${await api.token('svc.emitter', 'emitter')}` },
    );
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a GraphQL mutation refuses a NUL written as an escape inside the document', async () => {
    const response = await api.graphql(
      'mutation { reportIncident(input: { systemId: "sepsis-wf", incidentId: "i-1", severity: low, classification: not_serious, description: "bad\\u0000", patientHarmed: false, awareAt: "2026-03-14T09:00:00Z" }) { stream } }',
    );
    expect(response.status).toBeLessThan(500);
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.errors?.[0].extensions?.field).toMatch(/description$/);
  });

  it.each([
    ['a lone surrogate', LONE_SURROGATE],
    ['a NUL', NUL],
  ])('exportEvidenceBundle refuses %s in recipient, naming it', async (_, bad) => {
    const response = await api.graphql(
      'mutation($r: String) { exportEvidenceBundle(systemId: "sepsis-wf", recipient: $r) { exportId } }',
      { r: bad },
      'auditor.amy',
      { authorization: `Bearer ${await api.token('auditor.amy', 'auditor')}` },
    );
    expect(response.status).toBeLessThan(500);
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'recipient' });
  });
});
