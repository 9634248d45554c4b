import { tenantEventId } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import { collect } from '../support/events';
import { minimalAuditEvent } from '../support/fhir';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

const EMITTER = 'ehr-gateway';

const item = (eventId: string, action = 'R') => ({
  eventId,
  type: 'DataAccessed',
  occurredAt: '2026-03-14T09:00:00Z',
  data: {
    actor: 'dr.same',
    datasetId: 'icu-vitals',
    action,
    purposeOfUse: 'TREAT',
    outcome: 'success',
  },
});

/** The FHIR AuditEvent an emitter numbers its own way (not a UUID), as audit-000042. */
const auditEvent = (id: string) => minimalAuditEvent({ id, actor: 'dr.same' });

/**
 * Issue 17, items 4 and 6. Event ids are the emitter's, so they are unique
 * only within its tenant: one tenant must not block, or learn of, another's
 * ids. And a retry is recognised by what the emitter sent, not by the request
 * that carried it.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('ingest idempotency per tenant (%s)', (kind) => {
  let api: TestApi;
  const send = async (tenantId: string, events: unknown[], headers: Record<string, string> = {}) => {
    const token = await api.token(EMITTER, 'emitter', { tenantId });
    const response = await fetch(`${api.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify({ events }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const fhir = async (tenantId: string, resource: unknown) => {
    const token = await api.token(EMITTER, 'emitter', { tenantId });
    const response = await fetch(`${api.url}/fhir/AuditEvent`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify(resource),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const streamOf = async (tenantId: string) =>
    (await collect(api.store.readStream(`${tenantId}/data-access-${EMITTER}`))) as StoredEvent[];

  beforeAll(async () => {
    api = await startTestApi(kind);
  });
  afterAll(() => api.close());

  it("accepts a tenant's own event id that another tenant used first, and answers it exactly as a fresh one", async () => {
    const shared = randomUUID();
    expect((await send('hospital-a', [item(shared)])).body.results[0].status).toBe('accepted');

    const b = await send('hospital-b', [item(shared, 'U')]);
    const fresh = await send('hospital-b', [item(randomUUID(), 'U')]);
    expect(b.body.results[0]).toMatchObject({ status: 'accepted', eventId: shared });
    // Nothing in the answer differs from that to an id never used anywhere, beyond the ids themselves.
    const shape = (r: Record<string, unknown>) => Object.keys(r).sort();
    expect(shape(b.body.results[0])).toEqual(shape(fresh.body.results[0]));

    const [storedA] = (await streamOf('hospital-a')).filter((e) => e.metadata.emitterEventId === shared);
    const [storedB] = (await streamOf('hospital-b')).filter((e) => e.metadata.emitterEventId === shared);
    expect(storedA.eventId).toBe(tenantEventId('hospital-a', shared));
    expect(storedB.eventId).toBe(tenantEventId('hospital-b', shared));
    expect(b.body.results[0].ledgerEventId).toBe(storedB.eventId);
  });

  it("refuses a reused id with other content naming neither another tenant's stream nor its event", async () => {
    const shared = randomUUID();
    await send('hospital-a', [item(shared)]);
    await send('hospital-b', [item(shared)]);
    const reused = await send('hospital-b', [item(shared, 'D')]);
    expect(reused.body.results[0].error.code).toBe('EVENT_ID_REUSED');
    const text = JSON.stringify(reused.body);
    expect(text).not.toContain('hospital-a');
    expect(text).not.toContain(tenantEventId('hospital-a', shared));
  });

  it('derives the id of a FHIR AuditEvent numbered by the emitter per tenant', async () => {
    const id = `audit-${Date.now()}-000042`;
    expect((await fhir('hospital-a', auditEvent(id))).status).toBe(201);
    const b = await fhir('hospital-b', auditEvent(id));
    expect(b.status).toBe(201);
    expect(JSON.stringify(b.body)).not.toContain('hospital-a');
    expect((await fhir('hospital-b', auditEvent(id))).status).toBe(200);
  });

  it('answers a resend with another X-Correlation-Id as a duplicate, storing it once (item 6)', async () => {
    const sent = item(randomUUID());
    const first = await send('hospital-a', [sent], { 'x-correlation-id': 'request-1' });
    expect(first.body.results[0].status).toBe('accepted');
    const retry = await send('hospital-a', [sent], { 'x-correlation-id': 'request-2-retry' });
    expect(retry.body.results[0]).toMatchObject({
      status: 'duplicate',
      position: first.body.results[0].position,
    });
    expect(
      (await streamOf('hospital-a')).filter((e) => e.metadata.emitterEventId === sent.eventId),
    ).toHaveLength(1);
  });

  it('still answers a duplicate for an event stored before ids were derived per tenant, in its own tenant only', async () => {
    // What the ledger stored before this change: the emitter's id as the event id, no emitterEventId.
    const legacy = item(randomUUID());
    const metadata = {
      tenantId: 'hospital-a',
      actor: { id: EMITTER, role: 'emitter' },
      source: EMITTER,
      occurredAt: legacy.occurredAt,
      correlationId: legacy.eventId,
      causationId: legacy.eventId,
    };
    const stored = await api.store.append(
      `hospital-a/data-access-${EMITTER}`,
      [
        {
          eventId: legacy.eventId,
          type: 'DataAccessed',
          schemaVersion: 1,
          data: { ...legacy.data, sourceService: EMITTER },
          metadata,
        },
      ],
      'any',
    );
    const resend = await send('hospital-a', [legacy]);
    expect(resend.body.results[0]).toMatchObject({
      status: 'duplicate',
      ledgerEventId: legacy.eventId,
      position: stored.events[0].position.toString(),
    });
    expect((await send('hospital-a', [item(legacy.eventId, 'U')])).body.results[0].error.code).toBe(
      'EVENT_ID_REUSED',
    );
    // Another tenant's same id is its own event, not the legacy one.
    expect((await send('hospital-b', [legacy])).body.results[0].status).toBe('accepted');
  });
});
