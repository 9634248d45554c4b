import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/ledger-api';

const access = (occurredAt: string) => ({
  eventId: randomUUID(),
  type: 'DataAccessed',
  occurredAt,
  data: { actor: 'dr.who', datasetId: 'icu-vitals', action: 'R', purposeOfUse: 'TREAT', outcome: 'success' },
});

const auditEvent = (change: Record<string, unknown>) => ({
  resourceType: 'AuditEvent',
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  action: 'R',
  recorded: '2026-03-14T09:00:00Z',
  outcome: '0',
  purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }],
  agent: [{ who: { identifier: { value: 'dr.who' } }, requestor: true }],
  source: { observer: { display: 'ehr' } },
  entity: [{ what: { reference: 'Observation/obs-1' } }],
  ...change,
});

/**
 * Issue 17, item 11: 2026-02-30, T24:00:00 and year 0 were accepted, and a
 * year-10000 date came back in a form the DateTime scalar refuses. Every
 * date-time in is a real RFC 3339 instant inside the configured plausible
 * range (here narrowed with LEDGER_MIN_DATE and LEDGER_MAX_DATE).
 */
describe('strict RFC 3339 dates in a plausible range', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', {
      LEDGER_MIN_DATE: '2000-01-01T00:00:00Z',
      LEDGER_MAX_DATE: '2099-12-31T23:59:59Z',
    });
  });
  afterAll(() => api.close());

  it.each([
    ['2026-02-30T09:00:00Z', 'real calendar date'],
    ['2026-03-14T24:00:00Z', 'RFC 3339'],
    ['0000-01-01T00:00:00Z', 'real calendar date'],
    // Year 9999 where written, year 10000 in UTC: it would come back as +010000-..., which DateTime refuses.
    ['9999-12-31T23:30:00-01:00', 'must lie between'],
    ['2100-01-01T00:00:00Z', 'must lie between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59Z'],
    ['1999-12-31T23:59:59Z', 'must lie between'],
  ])('refuses an ingest item occurring at %s, naming occurredAt and the rule', async (occurredAt, rule) => {
    const { status, body } = await api.post('/v1/events', {
      events: [access(occurredAt), access('2026-03-14T09:00:00Z')],
    });
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: 'rejected', error: { field: 'occurredAt' } });
    expect(body.results[0].error.message).toContain(`occurredAt ${rule.startsWith('must') ? rule : ''}`);
    expect(body.results[0].error.message).toContain(rule);
    expect(body.results[1].status).toBe('accepted');
  });

  it.each([
    [{ recorded: '2026-02-30T09:00:00Z' }, 'AuditEvent.recorded'],
    [{ period: { start: '2026-02-29T09:00:00Z' } }, 'AuditEvent.period.start'],
    [{ period: { start: '2026-03-14T09:00:00Z', end: '2026-04-31T09:00:00Z' } }, 'AuditEvent.period.end'],
    [{ recorded: '2150-01-01T00:00:00Z' }, 'AuditEvent.recorded'],
  ])('refuses a FHIR AuditEvent with %j, naming the element', async (change, expression) => {
    const token = await api.token('svc.tests', 'emitter');
    const response = await fetch(`${api.url}/fhir/AuditEvent`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify(auditEvent(change)),
    });
    expect(response.status).toBe(400);
    const outcome = (await response.json()) as any;
    expect(outcome.issue).toEqual(
      expect.arrayContaining([expect.objectContaining({ expression: [expression] })]),
    );
  });

  it.each([
    ['2026-02-30T00:00:00Z', 'real calendar date'],
    ['2026-03-14T24:00:00Z', 'RFC 3339'],
    ['0000-06-01T00:00:00Z', 'real calendar date'],
    ['2200-01-01T00:00:00Z', 'must lie between'],
  ])('refuses the GraphQL DateTime %s, as a variable and as a literal', async (asOf, rule) => {
    const asVariable = await api.graphql(
      'query($at: DateTime) { accountability(systemId: "x", asOf: $at) { systemId } }',
      { at: asOf },
    );
    expect(asVariable.data ?? null).toBeNull();
    expect(asVariable.errors?.[0].message).toContain('$at');
    // Once a document runs compiled (graphql-jit), a variable's refusal no longer carries the scalar's words.
    const literal = await api.graphql(`{ accountability(systemId: "x", asOf: "${asOf}") { systemId } }`);
    expect(literal.data ?? null).toBeNull();
    expect(literal.errors?.[0].message).toContain(rule);
  });
});
