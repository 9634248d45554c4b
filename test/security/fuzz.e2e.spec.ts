import fc from 'fast-check';
import { startTestApi, type TestApi } from '../support/ledger-api';

/**
 * Thousands of malformed requests: each must be answered 4xx naming what is
 * wrong, none may be a 5xx, and none may store an event.
 */
describe('fuzzing the edges (fast-check)', () => {
  let api: TestApi;
  let emitter: string;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { LEDGER_RATE_LIMIT_PER_MINUTE: '1000000' });
    emitter = await api.token('ehr-gateway', 'emitter');
    admin = await api.token('admin.grace', 'governance-admin');
  });
  afterAll(() => api.close());

  const send = (path: string, token: string, body: string) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
    }));

  const json = fc.jsonValue({ maxDepth: 4 });
  const nearlyValidItem = fc.record(
    {
      eventId: fc.oneof(fc.uuid(), fc.string(), fc.integer(), fc.constant(null)),
      type: fc.oneof(fc.constantFrom('DataAccessed', 'ModelVersionDeployed', ''), fc.string()),
      schemaVersion: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
      occurredAt: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      data: fc.oneof(
        fc.record(
          {
            actor: fc.oneof(fc.string(), fc.integer()),
            datasetId: fc.oneof(fc.string(), fc.constant('icu')),
            patientId: fc.oneof(fc.string(), fc.integer(), fc.constant('')),
            action: fc.oneof(fc.constantFrom('R', 'X', ''), fc.string()),
            purposeOfUse: fc.string(),
            outcome: fc.oneof(fc.constantFrom('success', 'nope'), fc.string()),
            resource: fc.oneof(fc.constant('Patient/123'), fc.string()),
            extra: json,
          },
          { requiredKeys: [] },
        ),
        json,
      ),
      junk: json,
    },
    { requiredKeys: [] },
  );

  it('POST /v1/events answers every malformed batch or item with a 4xx or a rejected item naming the field, and stores nothing', async () => {
    const head = await api.store.headPosition();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .array(nearlyValidItem, { minLength: 1, maxLength: 5 })
            .map((events) => JSON.stringify({ events })),
          json.map((v) => JSON.stringify(v)),
          fc.string(),
        ),
        async (body) => {
          const { status, text } = await send('/v1/events', emitter, body);
          expect(status).toBeLessThan(500);
          expect(text).not.toContain('"INTERNAL"');
          const answer = JSON.parse(text);
          if (status >= 400) expect(answer.error.message.length).toBeGreaterThan(0);
          else
            for (const result of answer.results)
              if (result.status === 'rejected') expect(typeof result.error.field).toBe('string');
          return answer.accepted === undefined || answer.accepted === 0;
        },
      ),
      { numRuns: 1500 },
    );
    expect(await api.store.headPosition()).toBe(head);
  }, 300_000);

  it('POST /fhir/AuditEvent answers malformed resources with a 4xx OperationOutcome naming the element, never a 5xx, and stores nothing', async () => {
    const coding = fc.record(
      {
        system: fc.oneof(fc.string(), fc.webUrl()),
        code: fc.oneof(fc.constantFrom('R', 'C', '110110', 'rest'), fc.string()),
      },
      { requiredKeys: [] },
    );
    const auditEvent = fc.record(
      {
        resourceType: fc.oneof(fc.constantFrom('AuditEvent', 'Bundle', 'Patient'), fc.string()),
        type: fc.oneof(coding, json),
        action: fc.oneof(fc.constantFrom('R', 'C', 'Z'), fc.string()),
        recorded: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        outcome: fc.oneof(fc.constantFrom('0', '4', '8'), fc.string()),
        agent: fc.oneof(
          fc.array(
            fc.record({
              who: fc.record({ identifier: fc.record({ value: fc.string() }) }),
              requestor: fc.boolean(),
            }),
            { maxLength: 3 },
          ),
          json,
        ),
        source: fc.oneof(fc.record({ observer: fc.record({ display: fc.string() }) }), json),
        entity: fc.oneof(
          fc.array(
            fc.record({ what: fc.record({ reference: fc.oneof(fc.constant('Patient/123'), fc.string()) }) }),
            { maxLength: 3 },
          ),
          json,
        ),
        purposeOfEvent: json,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          auditEvent.map((r) => JSON.stringify(r)),
          json.map((v) => JSON.stringify(v)),
        ),
        async (body) => {
          const before = await api.store.headPosition();
          const response = await fetch(`${api.url}/fhir/AuditEvent`, {
            method: 'POST',
            headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${emitter}` },
            body,
          });
          const text = await response.text();
          expect(response.status).toBeLessThan(500);
          expect(text).not.toContain('"INTERNAL"');
          if (response.status >= 400) {
            const answer = JSON.parse(text);
            const issues =
              answer.resourceType === 'OperationOutcome'
                ? answer.issue
                : [{ diagnostics: answer.error?.message, expression: [answer.error?.field ?? 'body'] }];
            expect(issues.length).toBeGreaterThan(0);
            for (const issue of issues as Array<{
              diagnostics?: string;
              details?: { text?: string };
              expression?: string[];
            }>) {
              expect((issue.diagnostics ?? issue.details?.text ?? '').length).toBeGreaterThan(0);
              expect(issue.expression?.[0]?.length).toBeGreaterThan(0);
            }
            // A refused resource stores nothing (a fuzzed resource that happens to be valid may be stored).
            expect(await api.store.headPosition()).toBe(before);
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 300_000);

  it('GraphQL answers malformed documents and inputs with errors that say what is wrong, never a 5xx, and stores nothing', async () => {
    const head = await api.store.headPosition();
    const inputs = fc.record(
      {
        systemId: fc.oneof(fc.string(), fc.constant('')),
        name: fc.oneof(fc.string(), fc.integer()),
        intendedUse: fc.string(),
        clinicalDomain: fc.string({ maxLength: 0 }),
        riskClass: fc.oneof(fc.constantFrom('high', 'extreme'), fc.string()),
        supplier: fc.oneof(fc.constantFrom('vendor', 'in_house'), fc.string()),
        sites: fc.oneof(fc.array(fc.string()), fc.string()),
        bogus: json,
      },
      { requiredKeys: [] },
    );
    const documents = fc.oneof(
      inputs.map((input) =>
        JSON.stringify({
          query: 'mutation($i: RegisterAiSystemInput!) { registerAiSystem(input: $i) { stream } }',
          variables: { i: input },
        }),
      ),
      fc.string().map((query) => JSON.stringify({ query })),
      json.map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(documents, async (body) => {
        const { status, text } = await send('/graphql', admin, body);
        expect(status).toBeLessThan(500);
        expect(text).not.toContain('"INTERNAL"');
        const answer = JSON.parse(text);
        const messages = answer.errors?.map((e: { message: string }) => e.message) ?? [answer.error?.message];
        expect(messages.every((m: unknown) => typeof m === 'string' && m.length > 0)).toBe(true);
      }),
      { numRuns: 1500 },
    );
    expect(await api.store.headPosition()).toBe(head);
  }, 300_000);
});
