import type { StoredEvent } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import { collect } from '../support/events';
import { minimalAuditEvent } from '../support/fhir';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

const EMITTER = 'fhir-gateway';

const auditEvent = (id: string, action = 'R') => minimalAuditEvent({ id, actor: 'dr.who', action });

const bundle = (type: 'batch' | 'transaction', resources: unknown[]) => ({
  resourceType: 'Bundle',
  type,
  entry: resources.map((resource) => ({ resource, request: { method: 'POST', url: 'AuditEvent' } })),
});

/**
 * Issue 17, item 7: a transaction Bundle whose second entry conflicted stored
 * the first. A transaction is all or nothing; a batch answers per entry.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('FHIR transaction and batch Bundles (%s)', (kind) => {
  let api: TestApi;
  const post = async (body: unknown) => {
    const token = await api.token(EMITTER, 'emitter');
    const response = await fetch(`${api.url}/fhir/AuditEvent`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const stored = async () =>
    (await collect(api.store.readStream(`default/data-access-${EMITTER}`))) as StoredEvent[];

  beforeAll(async () => {
    api = await startTestApi(kind);
  });
  afterAll(() => api.close());

  it('stores nothing of a transaction whose second entry conflicts, answering one OperationOutcome, while a batch answers per entry', async () => {
    const taken = randomUUID();
    expect((await post(auditEvent(taken))).status).toBe(201);
    const before = await stored();
    const head = await api.store.headPosition();

    const first = randomUUID();
    const refused = await post(bundle('transaction', [auditEvent(first), auditEvent(taken, 'U')]));
    expect(refused.status).toBe(409);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(refused.body.issue).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'conflict',
        expression: ['Bundle.entry[1].resource.id'],
      }),
    ]);
    expect(await stored()).toEqual(before);
    expect(await api.store.headPosition()).toBe(head);

    // The same entries as a batch are answered one by one: the conflict refused, the other stored.
    const batch = await post(bundle('batch', [auditEvent(randomUUID()), auditEvent(taken, 'U')]));
    expect(batch.status).toBe(200);
    expect(batch.body.type).toBe('batch-response');
    expect(batch.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '409 Conflict']);
    expect((await stored()).length).toBe(before.length + 1);

    // The same transaction without the conflict goes in whole; sent again, it is acknowledged whole.
    const whole = bundle('transaction', [auditEvent(first), auditEvent(randomUUID())]);
    const accepted = await post(whole);
    expect(accepted.status).toBe(200);
    expect(accepted.body.type).toBe('transaction-response');
    expect(accepted.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '201 Created']);
    const again = await post(whole);
    expect(again.body.entry.map((e: any) => e.response.status)).toEqual(['200 OK', '200 OK']);
    expect((await stored()).length).toBe(before.length + 3);
  });

  it('stores nothing of a transaction whose entries repeat one id, a rule only ingest sees', async () => {
    const head = await api.store.headPosition();
    const repeated = randomUUID();
    const refused = await post(bundle('transaction', [auditEvent(repeated), auditEvent(repeated, 'U')]));
    expect(refused.status).toBe(400);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(refused.body.issue).toEqual([
      expect.objectContaining({ code: 'invalid', expression: ['Bundle.entry[1].resource.id'] }),
    ]);
    expect(await api.store.headPosition()).toBe(head);
  });
});
