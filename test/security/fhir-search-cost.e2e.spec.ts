import { auditEventSearchOf } from '@ledger/evidence';
import { findDataAccess, type AccessCondition, type DataAccessTables } from '@ledger/read-models';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { minimalAuditEvent } from '../support/fhir';
import { auditedSystem } from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/** Small, so a few hundred accesses span many windows; the default is 10,000. */
const WINDOW = 20;
/** Accesses in the tenant: not a whole number of windows, so the last page is short. */
const ACCESSES = 230;
/** One access in RARE_EVERY is dr.rare's: her pages need several windows each. */
const RARE_EVERY = 37;

/**
 * One caller asking for what no access holds must not make the service read
 * every access while every other request waits (the SQLite read store runs
 * on the main thread). Each page reads at most LEDGER_FHIR_SEARCH_WINDOW
 * accesses, and a walk through the windows still finds every match once.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])(
  'FHIR AuditEvent search cost is bounded per page (%s)',
  (kind) => {
    let api: TestApi;
    /** Ledger event ids of dr.rare's accesses, newest first. */
    const rare: string[] = [];

    const token = () => api.token('auditor.amy', 'auditor');
    async function get(query: string): Promise<{ status: number; body: any }> {
      const response = await fetch(query.startsWith('http') ? query : `${api.url}/fhir/AuditEvent${query}`, {
        headers: { authorization: `Bearer ${await token()}` },
      });
      return { status: response.status, body: await response.json() };
    }
    const link = (body: any, relation: string): string | undefined =>
      body.link.find((l: { relation: string }) => l.relation === relation)?.url;
    const ids = (body: any): string[] => (body.entry ?? []).map((e: any) => e.resource.id);

    async function ingest(from: number, to: number): Promise<void> {
      const emitter = await api.token('ehr-gateway', 'emitter');
      const response = await fetch(`${api.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emitter}` },
        body: JSON.stringify({
          events: Array.from({ length: to - from }, (_, i) => ({
            eventId: randomUUID(),
            type: 'DataAccessed',
            occurredAt: new Date(Date.UTC(2026, 2, 1, 0, from + i)).toISOString(),
            data: {
              actor: (from + i) % RARE_EVERY === 0 ? 'dr.rare' : 'dr.common',
              action: 'R',
              outcome: 'success',
              purposeOfUse: 'TREAT',
              datasetId: 'icu',
              patientId: `MRN-${(from + i) % 7}`,
            },
          })),
        }),
      });
      const body = (await response.json()) as { results: Array<{ status: string; ledgerEventId: string }> };
      expect(body.results.every((r) => r.status === 'accepted')).toBe(true);
      rare.unshift(
        ...body.results
          .filter((_, i) => (from + i) % RARE_EVERY === 0)
          .map((r) => r.ledgerEventId)
          .reverse(),
      );
    }

    /** dr.rare as an AuditEvent kept as sent: matched through its search tokens, not the ledger's columns. */
    async function sendAuditEvent(): Promise<void> {
      const emitter = await api.token('ehr-gateway', 'emitter');
      const response = await fetch(`${api.url}/fhir/AuditEvent`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${emitter}` },
        body: JSON.stringify(minimalAuditEvent({ actor: 'dr.rare', resource: 'Observation/sent-1' })),
      });
      expect(response.status).toBe(201);
      rare.unshift(response.headers.get('location')!.split('/').pop()!);
    }

    /** Every page from the first, following `next`: each page's ids, and whether it linked on. */
    async function walk(query: string): Promise<Array<{ ids: string[]; next: boolean; body: any }>> {
      const pages = [];
      let url: string | undefined = query;
      while (url !== undefined) {
        const { status, body } = await get(url);
        expect(status).toBe(200);
        url = link(body, 'next');
        pages.push({ ids: ids(body), next: url !== undefined, body });
        expect(pages.length).toBeLessThan(50);
      }
      return pages;
    }

    beforeAll(async () => {
      api = await startTestApi(kind, { LEDGER_FHIR_SEARCH_WINDOW: String(WINDOW) });
      await auditedSystem(api, 'sepsis', ['ehr-gateway']);
      await ingest(0, 100);
      await sendAuditEvent();
      await ingest(100, ACCESSES - 1);
      await caughtUp(api);
    });
    afterAll(() => api.close());

    it('answers a search for an absent agent a window at a time: each page empty with a next link, until the ledger is walked', async () => {
      const pages = await walk('?agent=nobody.at.all');
      // 230 accesses in windows of 20: 11 full windows, then the last 10, which ends the walk.
      expect(pages.map((p) => [p.ids.length, p.next])).toEqual([
        ...Array.from({ length: Math.floor(ACCESSES / WINDOW) }, () => [0, true]),
        [0, false],
      ]);
    });

    it('walks a rare agent through the windows forward and back, every match once and in order', async () => {
      const forward = await walk('?agent=dr.rare&_count=2');
      expect(forward.flatMap((p) => p.ids)).toEqual(rare);
      // Pages the window ran out on are short, never overfull.
      expect(forward.every((p) => p.ids.length <= 2)).toBe(true);
      expect(forward.some((p) => p.ids.length < 2 && p.next)).toBe(true);

      // From the last page back to the first through `previous`: the same matches, none twice, none missed.
      const back: string[] = [...forward.at(-1)!.ids];
      let url = link(forward.at(-1)!.body, 'previous');
      for (let n = 0; url !== undefined; n++) {
        expect(n).toBeLessThan(50);
        const { body } = await get(url);
        back.unshift(...ids(body));
        url = link(body, 'previous');
      }
      expect(back).toEqual(rare);
    });

    it('gives _total only when counting it would read at most ten windows of accesses', async () => {
      // The tenant's 230 accesses are more than ten windows of 20: counting an agent would read them all.
      const broad = await get('?agent=nobody.at.all&_total=accurate');
      expect(broad.status).toBe(200);
      expect(broad.body.total).toBeUndefined();
      // A patient's accesses are read through the patient's index: MRN-0's 33, fewer than ten windows, are counted.
      const patient = await get('?patient=MRN-0&_total=accurate&agent=dr.rare');
      expect(patient.body.total).toBe(
        Array.from({ length: ACCESSES - 1 }, (_, n) => n).filter((n) => n % 7 === 0 && n % RARE_EVERY === 0)
          .length,
      );
    });

    if (kind === 'sqlite')
      it('plans every parameter within the window: its index read in position order, each access looked up by position, nothing scanned', async () => {
        const queries: CompiledQuery[] = [];
        const file = new Database(join(api.dataDir, 'read.sqlite'), { readonly: true });
        const db = new Kysely<DataAccessTables>({
          dialect: new SqliteDialect({ database: file }),
          log: (event) => void (event.level === 'query' && queries.push(event.query)),
        });
        try {
          const searches = [
            'agent=nobody',
            'entity=Observation/none',
            'entity=urn:govledger:dataset|none',
            'entity-type=1',
            'type=rest',
            'subtype=delete',
            'outcome=8',
            'source=none',
            'date=lt2000',
            'agent=a,b&outcome=0&date=ge2026',
          ];
          for (const search of searches) {
            const parsed = auditEventSearchOf([...new URLSearchParams(search)], new Date());
            if ('issues' in parsed) throw new Error(JSON.stringify(parsed.issues));
            for (const conditions of [
              parsed.search.conditions,
              [
                ...parsed.search.conditions,
                { column: 'patient_pseudonym', oneOf: ['f'.repeat(64)] } as AccessCondition,
              ],
            ]) {
              queries.length = 0;
              await findDataAccess(
                db,
                'default',
                { conditions },
                { first: 20, after: undefined, window: WINDOW },
              );
              expect(queries).toHaveLength(2);
              for (const query of queries) {
                const plan = (
                  file
                    .prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
                    .all(...(query.parameters as unknown[])) as Array<{
                    detail: string;
                  }>
                ).map((row) => row.detail);
                // SCAN reads a whole table or index. The window reads its index in position order, as far as its
                // LIMIT (in the first query, and as the second's subquery); the page looks each access up by a
                // position from the window. Any other SEARCH (an index on a condition's column, a date range say)
                // could read every access holding the value.
                const reads = plan.filter((d) => /^(SCAN|SEARCH) (da_access|da_sent_tokens)\b/.test(d));
                const window = query === queries[0];
                expect({
                  search,
                  unbounded: reads.filter(
                    (d) =>
                      !/^SEARCH da_access USING COVERING INDEX da_access_(tenant|patient_pseudonym) /.test(
                        d,
                      ) && !/^SEARCH .*position=\?\)$/.test(d),
                  ),
                  sorted: window && plan.some((d) => d.includes('TEMP B-TREE')),
                  byPosition: !window && reads.some((d) => /^SEARCH da_access .*position=\?\)$/.test(d)),
                }).toEqual({ search, unbounded: [], sorted: false, byPosition: !window });
                expect(reads.length).toBeGreaterThan(0);
              }
            }
          }
        } finally {
          await db.destroy();
        }
      });
  },
);
