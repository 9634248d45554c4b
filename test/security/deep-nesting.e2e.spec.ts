import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/ledger-api';

/**
 * A body nested far deeper than any ledger input needs (here 1.9 million
 * arrays, 3.8 MB, inside the 4 MiB body limit) is refused with 400 naming the
 * body and the limit, before anything walks it recursively and overflows the
 * stack. Ordinary nesting is untouched.
 */
const DEPTH = 1_900_000;
const deepArrays = () => `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

describe('bodies nested too deep', () => {
  let api: TestApi;
  let emitter: string;
  beforeAll(async () => {
    api = await startTestApi('sqlite');
    emitter = await api.token('ehr-gateway', 'emitter');
  });
  afterAll(() => api.close());

  const send = async (path: string, contentType: string, body: string) => {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${emitter}` },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it.each([
    [
      'a FHIR AuditEvent',
      '/fhir/AuditEvent',
      'application/fhir+json',
      `{"resourceType":"AuditEvent","entity":${deepArrays()}}`,
    ],
    [
      'a FHIR batch entry',
      '/fhir/AuditEvent',
      'application/fhir+json',
      `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"AuditEvent","entity":${deepArrays()}}}]}`,
    ],
    [
      'an ingest item',
      '/v1/events',
      'application/json',
      `{"events":[{"eventId":"${randomUUID()}","type":"DataAccessed","occurredAt":"2026-03-14T09:00:00Z","data":{"actor":"dr.ada","resource":"Observation","action":"R","purposeOfUse":"TREAT","outcome":"success","extra":${deepArrays()}}}]}`,
    ],
  ])(
    '%s nested 1.9 million arrays deep is refused with 400 naming the body and the limit',
    async (_, path, type, body) => {
      const head = await api.store.headPosition();
      const answer = await send(path, type, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body' });
      expect(answer.body.error.message).toMatch(/more than 32 levels deep.*LEDGER_INPUT_MAX_DEPTH/);
      expect(await api.store.headPosition()).toBe(head);
    },
  );

  // /graphql takes at most 64 KiB (LEDGER_GRAPHQL_MAX_BODY_BYTES), so the deepest variables that fit are 16,000 levels.
  it('GraphQL variables nested 16,000 levels deep are refused by depth, never a 5xx', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await api.token('admin.grace', 'governance-admin')}`,
      },
      body: `{"query":"{ ledger { store } }","variables":{"x":${'['.repeat(16_000)}${']'.repeat(16_000)}}}`,
    });
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body' });
  });
});
