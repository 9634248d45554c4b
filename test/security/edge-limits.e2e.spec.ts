import { SqliteEventStore } from '@ledger/event-store';
import { loadConfig } from '@ledger/runtime';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';
import { collect } from '../support/events';
import { startTestApi, type TestApi } from '../support/ledger-api';

/** Sends `total` requests over `connections` at once, as fast as the service answers; returns every status. */
async function flood(total: number, connections: number, send: (n: number) => Promise<Response>) {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < total) {
        const response = await send(next++);
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }),
  );
  return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

const item = () => ({
  eventId: randomUUID(),
  type: 'DataAccessed',
  occurredAt: new Date().toISOString(),
  data: {
    actor: 'dr.ada',
    datasetId: 'icu',
    patientId: 'p-1',
    action: 'R',
    purposeOfUse: 'TREAT',
    outcome: 'success',
  },
});

describe('the edge: a caller without a token can neither flood the log nor outrun the limits', () => {
  describe('with the default limits', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi('sqlite');
    });
    afterAll(() => api.close());

    it('answers an unauthenticated flood of 4,000 requests with 429 once over the per-address limit, and adds only a handful of events to the log', async () => {
      const emitter = await api.token('ehr-gateway', 'emitter');
      const ingest = () =>
        fetch(`${api.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${emitter}` },
          body: JSON.stringify({ events: [item()] }),
        });
      expect((await ingest()).status).toBe(200);
      const before = (await collect(api.store.readAll())).length;

      const statuses = await flood(4000, 32, () =>
        fetch(`${api.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"events":[]}',
        }),
      );
      // The emitter's first request, before its token was verified, counted against the address too.
      expect(count(statuses, 401)).toBe(599);
      expect(count(statuses, 429)).toBe(3401);
      const over = await fetch(`${api.url}/v1/events`, { method: 'POST', body: '{}' });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await over.json()).toEqual({
        error: {
          code: 'RATE_LIMITED',
          message: expect.stringMatching(
            /^more than 600 requests in a minute from this address; retry after \d+ s$/,
          ),
        },
      });

      // Probes are never starved, and a principal whose token was verified keeps being served from the same address.
      expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
      expect((await ingest()).status).toBe(200);

      await api.flushSelfAudit();
      const added = (await collect(api.store.readAll())).slice(before);
      expect(added.filter((e) => e.type !== 'DataAccessed').length).toBeLessThanOrEqual(5);
      // Counted per minute: a flood that spans a minute's end is two tallies of each kind.
      const refused = added
        .filter((e) => e.stream === 'unauthenticated/ledger-self-audit')
        .map(
          (e) =>
            e.data as { address: string; operation: string; status: number; count: number; reason: string },
        );
      expect(refused.length).toBeLessThanOrEqual(4);
      for (const tally of refused)
        expect(tally).toMatchObject({ address: '127.0.0.1', operation: 'POST /v1/events' });
      const counted = (status: number) =>
        refused.filter((t) => t.status === status).reduce((sum, t) => sum + t.count, 0);
      expect(counted(401)).toBe(599);
      expect(counted(429)).toBe(3402);
      expect(refused.find((t) => t.status === 429)?.reason).toBe(
        'more than 600 requests in a minute from this address',
      );
    });

    it('sends the security headers with every answer, a refusal before any handler included', async () => {
      const answers = await Promise.all([
        fetch(`${api.url}/health/live`),
        fetch(`${api.url}/v1/events`, { method: 'POST', body: '{}' }),
        fetch(`${api.url}/no-such-route`),
      ]);
      // After the flood above, this address is over its limit: the refusals are then 429s.
      expect(answers[0].status).toBe(200);
      expect([401, 429]).toContain(answers[1].status);
      expect([404, 429]).toContain(answers[2].status);
      for (const answer of answers) {
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      }
    });
  });

  it('answers POST /graphql over the per-principal limit with HTTP 429 and Retry-After, not 200 with an error inside', async () => {
    const api = await startTestApi('sqlite', { LEDGER_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const auditor = await api.token('auditor.amy', 'auditor');
      const query = () =>
        fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${auditor}` },
          body: JSON.stringify({ query: '{ ledger { headPosition } }' }),
        });
      for (let i = 0; i < 3; i++) expect((await query()).status).toBe(200);
      const over = await query();
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await over.json()).toMatchObject({
        error: { code: 'RATE_LIMITED', message: expect.stringContaining('from this principal') },
      });
    } finally {
      await api.close();
    }
  });

  describe('X-Forwarded-For', () => {
    const spoofed = (api: TestApi) =>
      flood(30, 4, (n) =>
        fetch(`${api.url}/v1/events`, {
          method: 'POST',
          headers: { 'x-forwarded-for': `198.51.100.${n}` },
          body: '{}',
        }),
      );

    it('is not believed by default: a caller cannot walk past the per-address limit by naming other addresses', async () => {
      const api = await startTestApi('sqlite', { LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '20' });
      try {
        const statuses = await spoofed(api);
        expect(count(statuses, 401)).toBe(20);
        expect(count(statuses, 429)).toBe(10);
      } finally {
        await api.close();
      }
    });

    it('is believed from the proxies LEDGER_TRUST_PROXY names, and the refusal records the address it gives', async () => {
      const api = await startTestApi('sqlite', {
        LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '20',
        LEDGER_TRUST_PROXY: '127.0.0.1, ::1',
      });
      try {
        expect(count(await spoofed(api), 401)).toBe(30);
        await api.flushSelfAudit();
        const refused = await collect(api.store.readStream('unauthenticated/ledger-self-audit'));
        expect(refused.map((e) => e.data)).toHaveLength(30);
        expect(refused.map((e) => e.data)).toContainEqual(
          expect.objectContaining({ address: '198.51.100.7', status: 401, count: 1 }),
        );
      } finally {
        await api.close();
      }
    });
  });

  it('writes the refusals it has counted when the service stops, before the minute is out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-edge-'));
    try {
      const { app, url } = await startLedgerApi(
        loadConfig({ PORT: '0', LOG_LEVEL: 'warn', LEDGER_DATA_DIR: dataDir }),
      );
      const base = url.replace('[::1]', '127.0.0.1');
      for (let i = 0; i < 3; i++)
        expect((await fetch(`${base}/graphql`, { method: 'POST', body: '{}' })).status).toBe(401);
      await app.close();
      const store = await SqliteEventStore.open(join(dataDir, 'events.sqlite'));
      try {
        const refused = (await collect(store.readStream('unauthenticated/ledger-self-audit'))).map(
          (e) => e.data as { operation: string; status: number; count: number },
        );
        expect(refused.map(({ operation, status }) => ({ operation, status }))).toContainEqual({
          operation: 'POST /graphql',
          status: 401,
        });
        expect(refused.reduce((sum, t) => sum + t.count, 0)).toBe(3);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
