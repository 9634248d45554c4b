import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect } from '../support/events';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

const RAW_PATIENT = 'MRN-4471-SENTINEL';

function accessItem(
  n: number,
  overrides: Record<string, unknown> = {},
  data: Record<string, unknown> = {},
): Record<string, any> {
  return {
    eventId: randomUUID(),
    type: 'DataAccessed',
    occurredAt: '2026-03-14T09:00:00Z',
    purposeOfUse: 'TREAT',
    data: {
      actor: `dr.${n % 7}`,
      datasetId: 'icu-vitals',
      patientId: `${RAW_PATIENT}-${n % 50}`,
      action: 'R',
      purposeOfUse: 'TREAT',
      outcome: 'success',
      ...data,
    },
    ...overrides,
  };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('POST /v1/events batch ingest (%s)', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(kind, { LEDGER_PSEUDONYM_KEY: 'a'.repeat(64) });
  });
  afterAll(() => api.close());

  it('accepts the valid items of a 1000-item batch, names the failing field of each invalid one, and stores a resend as duplicates only', async () => {
    const invalid: Record<number, string> = {
      7: 'data.action',
      99: 'eventId',
      250: 'occurredAt',
      512: 'data.outcome',
      640: 'type',
      901: 'data.patientPseudonym',
      999: 'data.unexpected',
    };
    const items = Array.from({ length: 1000 }, (_, n) => accessItem(n));
    items[7].data.action = 'X';
    items[99].eventId = 'not-a-uuid';
    items[250].occurredAt = '14/03/2026';
    delete (items[512].data as Record<string, unknown>).outcome;
    items[640].type = 'ModelVersionDeployed';
    (items[901].data as Record<string, unknown>).patientPseudonym = 'f'.repeat(64);
    (items[999].data as Record<string, unknown>).unexpected = true;

    const head = await api.store.headPosition();
    const first = await api.post('/v1/events', { events: items }, 'ehr-gateway');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 993, duplicates: 0, rejected: 7 });
    for (const [index, field] of Object.entries(invalid)) {
      const result = first.body.results[Number(index)];
      expect({ index: result.index, status: result.status, field: result.error.field }).toEqual({
        index: Number(index),
        status: 'rejected',
        field,
      });
      expect(result.error.message.length).toBeGreaterThan(10);
    }
    expect(await api.store.headPosition()).toBe(head + 993n);

    const again = await api.post('/v1/events', { events: items }, 'ehr-gateway');
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 993, rejected: 7 });
    expect(
      again.body.results
        .filter((r: { status: string }) => r.status === 'duplicate')
        .map((r: { position: string }) => r.position),
    ).toEqual(
      first.body.results
        .filter((r: { status: string }) => r.status === 'accepted')
        .map((r: { position: string }) => r.position),
    );
    expect(await api.store.headPosition()).toBe(head + 993n);
  });

  it('stores the patient only as a keyed pseudonym; the raw identifier is nowhere in the store', async () => {
    const item = accessItem(1, {}, { patientId: `${RAW_PATIENT}-only` });
    const { body } = await api.post('/v1/events', { events: [item] }, 'lab-service');
    expect(body.accepted).toBe(1);
    const [stored] = await collect(api.store.readStream('default/data-access-lab-service'));
    expect(stored.data).toMatchObject({
      patientPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
      sourceService: 'lab-service',
    });
    expect(JSON.stringify({ ...stored, position: String(stored.position) })).not.toContain(RAW_PATIENT);
    if (kind === 'sqlite') {
      for (const file of readdirSync(api.dataDir).filter((f) => f.startsWith('events.sqlite')))
        expect(readFileSync(join(api.dataDir, file)).includes(RAW_PATIENT)).toBe(false);
    }
  });

  it('refuses a re-used eventId with other content for that item only', async () => {
    const item = accessItem(2);
    await api.post('/v1/events', { events: [item] }, 'ehr-gateway');
    const reused = { ...item, data: { ...item.data, action: 'U' } };
    const fresh = accessItem(3);
    const { body } = await api.post('/v1/events', { events: [reused, fresh] }, 'ehr-gateway');
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'accepted']);
    expect(body.results[0].error.code).toBe('EVENT_ID_REUSED');
  });

  it('refuses malformed batches as a whole with 400, naming the field', async () => {
    expect(await api.post('/v1/events', { items: [] }, 'ehr-gateway')).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', field: 'events' } },
    });
    const tooMany = Array.from({ length: 1001 }, (_, n) => accessItem(n));
    const response = await api.post('/v1/events', { events: tooMany }, 'ehr-gateway');
    expect(response).toMatchObject({ status: 400, body: { error: { field: 'events' } } });
    expect(response.body.error.message).toContain('1000');
    const notJson = await fetch(`${api.url}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await api.token('ehr-gateway', 'emitter')}`,
      },
      body: '{"events": [',
    });
    expect(notJson.status).toBe(400);
  });
});

describe('failures before a handler runs', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { LEDGER_RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => api.close());

  const post = async (body: string, token: string) => {
    const response = await fetch(`${api.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as { error: { code: string; message: string } },
    };
  };

  it('answers them in the ledger’s error shape: unparsable JSON 400, an oversized body 413, too many requests 429 with Retry-After', async () => {
    const notJson = await post('{"events": [', await api.token('emitter-a', 'emitter'));
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    const oversized = await post(
      JSON.stringify({ events: [{ note: 'x'.repeat(5 * 1024 * 1024) }] }),
      await api.token('emitter-b', 'emitter'),
    );
    expect(oversized).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const token = await api.token('emitter-c', 'emitter');
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post(JSON.stringify({ events: [accessItem(i)] }), token));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[5]).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(answers[5].body.error.message).toMatch(
      /more than 5 requests in a minute from this principal; retry after \d+ s/,
    );
    expect(Number(answers[5].retryAfter)).toBeGreaterThan(0);
  });
});
