import { r4Errors } from '@ledger/evidence';
import type { Role } from '@ledger/auth';
import type { Bundle } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { Pseudonymiser } from '../../apps/ledger-api/src/privacy/pseudonymiser';
import { collect } from '../support/events';
import { auditedSystem } from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

const A = 'hospital-a';
const B = 'hospital-b';
const RAW = 'MRN-4711';

interface Access {
  actor: string;
  action: string;
  outcome: string;
  occurredAt: string;
  patientId?: string;
  datasetId?: string;
  resource?: string;
  systemId?: string;
}

/** Five accesses, each distinguishable by every ITI-81 parameter; their names are what the assertions speak of. */
const NAMED: Record<string, Access & { source: string }> = {
  read: {
    source: 'ehr-gateway',
    actor: 'dr.ada',
    action: 'R',
    outcome: 'success',
    occurredAt: '2026-03-01T10:00:00.000Z',
    patientId: RAW,
    resource: 'Observation/o1',
    systemId: 'sepsis',
  },
  query: {
    source: 'ehr-gateway',
    actor: 'dr.bob',
    action: 'E',
    outcome: 'denied',
    occurredAt: '2026-03-02T10:00:00.000Z',
    patientId: 'MRN-2',
    datasetId: 'icu',
  },
  create: {
    source: 'ehr-gateway',
    actor: 'dr.ada',
    action: 'C',
    outcome: 'error',
    occurredAt: '2026-03-03T12:30:00.000Z',
    datasetId: 'icu',
  },
  update: {
    source: 'ehr-gateway',
    actor: 'dr.cat',
    action: 'U',
    outcome: 'success',
    occurredAt: '2026-03-05T08:00:00.000Z',
    patientId: RAW,
    resource: 'Observation/o2',
  },
  delete: {
    source: 'lab-gateway',
    actor: 'svc.lab',
    action: 'D',
    outcome: 'success',
    occurredAt: '2026-04-01T00:00:00.000Z',
    resource: 'Observation/o3',
  },
};
/** Accesses for paging, after the named ones. */
const BULK = 45;

describe.each<StoreKind>(['sqlite', 'postgres'])('FHIR AuditEvent search, IHE ITI-81 (%s)', (kind) => {
  let api: TestApi;
  /** Ledger event id -> name, for tenant A's named accesses. */
  const names = new Map<string, string>();
  const bulkIds: string[] = [];
  const tenantBIds: string[] = [];
  const responses: string[] = [];

  async function ingest(tenantId: string, source: string, accesses: Access[]): Promise<string[]> {
    const token = await api.token(source, 'emitter', { tenantId });
    const response = await fetch(`${api.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        events: accesses.map(({ occurredAt, ...data }) => ({
          eventId: randomUUID(),
          type: 'DataAccessed',
          occurredAt,
          data: { purposeOfUse: 'TREAT', ...data },
        })),
      }),
    });
    const body = (await response.json()) as { results: Array<{ status: string; ledgerEventId: string }> };
    expect(body.results.map((r) => r.status)).toEqual(accesses.map(() => 'accepted'));
    return body.results.map((r) => r.ledgerEventId);
  }

  async function get(
    query: string,
    options: { role?: Role; tenantId?: string; systems?: string[]; token?: false } = {},
  ): Promise<{ status: number; body: any }> {
    const token =
      options.token === false
        ? undefined
        : await api.token('auditor.amy', options.role ?? 'auditor', {
            tenantId: options.tenantId ?? A,
            systems: options.systems,
          });
    const response = await fetch(query.startsWith('http') ? query : `${api.url}/fhir/AuditEvent${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const text = await response.text();
    responses.push(text);
    return { status: response.status, body: JSON.parse(text) };
  }

  /** The named accesses a search finds in tenant A, among those before the bulk ones. */
  async function found(query: string): Promise<string[]> {
    const { status, body } = await get(`?date=lt2026-05${query ? `&${query}` : ''}&_count=100`);
    expect({ query, status }).toEqual({ query, status: 200 });
    expect(r4Errors(body)).toEqual([]);
    return ((body as Bundle).entry ?? [])
      .map((e) => names.get(e.resource!.id!) ?? `unknown ${e.resource!.id}`)
      .sort();
  }

  const refusal = async (query: string) => {
    const { status, body } = await get(query);
    expect({ query, status, resourceType: body.resourceType }).toEqual({
      query,
      status: 400,
      resourceType: 'OperationOutcome',
    });
    expect(r4Errors(body)).toEqual([]);
    return body.issue[0] as { expression: string[]; diagnostics: string };
  };

  beforeAll(async () => {
    api = await startTestApi(kind);
    for (const tenantId of [A, B]) await auditedSystem(api, 'sepsis', ['ehr-gateway'], tenantId);
    for (const [name, { source, ...access }] of Object.entries(NAMED)) {
      const [id] = await ingest(A, source, [access]);
      names.set(id, name);
    }
    bulkIds.push(
      ...(await ingest(
        A,
        'ehr-gateway',
        Array.from({ length: BULK }, (_, i) => ({
          actor: 'dr.page',
          action: 'R',
          outcome: 'success',
          occurredAt: new Date(Date.UTC(2026, 5, 1, 0, i)).toISOString(),
          datasetId: 'paging',
        })),
      )),
    );
    // Tenant B holds accesses that match every search tenant A makes: the same people, patient, resources, system.
    for (const [, { source, ...access }] of Object.entries(NAMED))
      tenantBIds.push(...(await ingest(B, source, [access])));
    await caughtUp(api);
  });
  afterAll(() => api.close());

  it('finds by date with each FHIR prefix, a partial date standing for its whole range', async () => {
    expect(await found('')).toEqual(['create', 'delete', 'query', 'read', 'update']);
    expect(await found('date=2026-03-02')).toEqual(['query']);
    expect(await found('date=eq2026-03-02')).toEqual(['query']);
    expect(await found('date=eq2026-02')).toEqual([]);
    expect(await found('date=ne2026-03-02')).toEqual(['create', 'delete', 'read', 'update']);
    expect(await found('date=lt2026-03-02')).toEqual(['read']);
    expect(await found('date=eb2026-03-02')).toEqual(['read']);
    expect(await found('date=le2026-03-02')).toEqual(['query', 'read']);
    expect(await found('date=gt2026-03-03')).toEqual(['delete', 'update']);
    expect(await found('date=sa2026-03-03')).toEqual(['delete', 'update']);
    expect(await found('date=ge2026-03-03')).toEqual(['create', 'delete', 'update']);
    expect(await found('date=2026-03')).toEqual(['create', 'query', 'read', 'update']);
    // A time is its own precision: the minute 12:30 holds the create, 12:31 nothing; a zone moves the instant.
    expect(await found('date=2026-03-03T12:30Z')).toEqual(['create']);
    expect(await found('date=2026-03-03T12:31Z')).toEqual([]);
    expect(await found(`date=${encodeURIComponent('2026-03-03T14:30:00+02:00')}`)).toEqual(['create']);
    expect(await found('date=2026-03-03T12:30:00.001Z')).toEqual([]);
    // ap: within a tenth of the distance from now; the April delete is months from 2026-01-01, not within the March reads.
    expect(await found('date=ap2026-04-01')).toContain('delete');
    expect(await found('date=ap2025-01-01')).toEqual([]);
    // Two dates make a range.
    const range = await get('?date=ge2026-03-02&date=lt2026-03-04');
    expect(range.body.entry.map((e: any) => names.get(e.resource.id)).sort()).toEqual(['create', 'query']);
  });

  it('finds by patient through the server-side pseudonym, records each lookup, and never echoes the raw identifier', async () => {
    expect(await found(`patient=${RAW}`)).toEqual(['read', 'update']);
    expect(await found(`patient=Patient/${RAW}`)).toEqual(['read', 'update']);
    expect(await found('patient=MRN-2,MRN-404')).toEqual(['query']);
    expect(await found('patient=MRN-404')).toEqual([]);
    // A pseudonym is not a patient identifier: searched for, it is pseudonymised again and matches nothing.
    const pseudonym = Pseudonymiser.load(api.dataDir).pseudonymise(A, RAW);
    expect(await found(`patient=${pseudonym}`)).toEqual([]);

    const lookups = (await collect(api.store.readStream(`${A}/ledger-self-audit`))).filter(
      (e) => e.type === 'PatientLookupPerformed' && (e.data as any).operation === 'fhir AuditEvent search',
    );
    expect(lookups.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'auditor.amy',
          role: 'auditor',
          patientPseudonym: pseudonym,
          operation: 'fhir AuditEvent search',
        }),
      ]),
    );
    expect(lookups.every((e) => !JSON.stringify(e.data).includes(RAW))).toBe(true);
    // The patient entity names the pseudonym; links carry the search in a cursor, not the identifier.
    const page = await get(`?patient=${RAW}&_count=1`);
    expect(JSON.stringify(page.body)).toContain(pseudonym);
    const next = page.body.link.find((l: any) => l.relation === 'next').url as string;
    const followed = await get(next);
    expect(followed.body.entry).toHaveLength(1);
    const recorded = async () =>
      (await collect(api.store.readStream(`${A}/ledger-self-audit`))).filter(
        (e) => e.type === 'PatientLookupPerformed',
      ).length;
    const before = await recorded();
    await get(next);
    // Paging on is a lookup too.
    expect(await recorded()).toBe(before + 1);
  });

  it('finds by agent: the requesting user, or the AI system the access was for', async () => {
    expect(await found('agent=dr.ada')).toEqual(['create', 'read']);
    expect(await found('agent=|dr.ada')).toEqual(['create', 'read']);
    expect(await found('agent=sepsis')).toEqual(['read']);
    expect(await found('agent=urn:govledger:ai-system|sepsis')).toEqual(['read']);
    expect(await found('agent=urn:govledger:ai-system|dr.ada')).toEqual([]);
    expect(await found('agent=dr.nobody')).toEqual([]);
    expect(await found('agent=dr.bob,dr.cat')).toEqual(['query', 'update']);
    expect(await found('agent=dr.ada&agent=sepsis')).toEqual(['read']);
  });

  it('finds by entity: the resource touched, or the dataset', async () => {
    expect(await found('entity=Observation/o1')).toEqual(['read']);
    expect(await found('entity=urn:govledger:dataset|icu')).toEqual(['create', 'query']);
    expect(await found('entity=Observation/none')).toEqual([]);
    expect(await found('entity=urn:other|icu')).toEqual([]);
    expect((await refusal(`?entity=Patient/${RAW}`)).expression).toEqual(['entity']);
    expect((await refusal('?entity=not a reference')).diagnostics).toMatch(/Type\/id/);
  });

  it('finds by entity-type, type and subtype, as the AuditEvent served shows them', async () => {
    expect(await found('entity-type=1')).toEqual(['query', 'read', 'update']);
    expect(await found('entity-type=http://terminology.hl7.org/CodeSystem/audit-entity-type|2')).toEqual([
      'create',
      'delete',
      'query',
      'read',
      'update',
    ]);
    expect(await found('entity-type=3')).toEqual([]);
    expect(await found('entity-type=urn:other|1')).toEqual([]);
    expect(await found('type=rest')).toHaveLength(5);
    expect(await found('type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest')).toHaveLength(5);
    expect(await found('type=|rest')).toEqual([]);
    expect(await found('type=110112')).toEqual([]);
    expect(await found('subtype=read')).toEqual(['read']);
    expect(await found('subtype=http://hl7.org/fhir/restful-interaction|search')).toEqual(['query']);
    expect(await found('subtype=create,update')).toEqual(['create', 'update']);
    expect(await found('subtype=vread')).toEqual([]);
    // What is searched is what is served: every found resource shows the code searched for.
    const reads = await get('?subtype=read&date=lt2026-05');
    expect(reads.body.entry[0].resource.subtype).toEqual([
      { system: 'http://hl7.org/fhir/restful-interaction', code: 'read' },
    ]);
  });

  it('finds by outcome and by source', async () => {
    expect(await found('outcome=0')).toEqual(['delete', 'read', 'update']);
    expect(await found('outcome=4')).toEqual(['query']);
    expect(await found('outcome=8')).toEqual(['create']);
    expect(await found('outcome=12')).toEqual([]);
    expect(await found('outcome=http://hl7.org/fhir/audit-event-outcome|8')).toEqual(['create']);
    expect((await refusal('?outcome=7')).expression).toEqual(['outcome']);
    expect(await found('source=lab-gateway')).toEqual(['delete']);
    expect(await found('source=|ehr-gateway')).toEqual(['create', 'query', 'read', 'update']);
    expect(await found('source=nowhere')).toEqual([]);
  });

  it('pages through every match with next links, newest first, no duplicate and no gap, even while accesses are appended', async () => {
    const seen: string[] = [];
    let page = await get('?entity=urn:govledger:dataset|paging&_count=10&_total=accurate');
    expect(page.body.total).toBe(BULK);
    expect(page.body.link.map((l: any) => l.relation)).toEqual(['self', 'next']);
    // Appended after the first page: it belongs before it, never on a later page.
    const [late] = await ingest(A, 'ehr-gateway', [
      {
        actor: 'dr.page',
        action: 'R',
        outcome: 'success',
        occurredAt: '2026-06-02T00:00:00.000Z',
        datasetId: 'paging',
      },
    ]);
    await caughtUp(api);
    const pages: string[][] = [];
    for (;;) {
      expect(page.status).toBe(200);
      expect(r4Errors(page.body)).toEqual([]);
      for (const entry of page.body.entry) {
        expect(entry.search).toEqual({ mode: 'match' });
        expect(entry.fullUrl).toBe(`${api.url}/fhir/AuditEvent/${entry.resource.id}`);
      }
      pages.push(page.body.entry.map((e: any) => e.resource.id));
      seen.push(...pages.at(-1)!);
      const next = page.body.link.find((l: any) => l.relation === 'next');
      if (!next) break;
      page = await get(next.url);
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 10, 5]);
    expect(seen).toEqual([...bulkIds].reverse());
    expect(seen).not.toContain(late);

    // Back from the last page by previous links: the same pages, in reverse.
    const back: string[][] = [];
    for (;;) {
      back.push(page.body.entry.map((e: any) => e.resource.id));
      const previous = page.body.link.find((l: any) => l.relation === 'previous');
      if (!previous) break;
      page = await get(previous.url);
    }
    // Going back reaches past the first page to the access appended since, the newest.
    expect(back).toEqual([...pages.reverse(), [late]]);
    // The self link answers the same page again.
    const self = page.body.link.find((l: any) => l.relation === 'self').url;
    expect((await get(self)).body.entry.map((e: any) => e.resource.id)).toEqual(back.at(-1));
  });

  it('answers 20 a page by default and 1 to 100 on request, refusing other counts', async () => {
    expect((await get('?entity=urn:govledger:dataset|paging')).body.entry).toHaveLength(20);
    expect((await get('?entity=urn:govledger:dataset|paging&_count=1')).body.entry).toHaveLength(1);
    expect((await get('?_count=100')).body.entry).toHaveLength(51);
    for (const count of ['0', '101', '-1', '1.5', 'ten', '1000000000000000000000'])
      expect((await refusal(`?_count=${count}`)).expression).toEqual(['_count']);
  });

  it('refuses unknown parameters, modifiers and bad values with an OperationOutcome naming the parameter and its rule', async () => {
    expect(await refusal('?colour=blue')).toMatchObject({
      expression: ['colour'],
      diagnostics: expect.stringMatching(/not a supported search parameter/),
    });
    expect((await refusal('?patient:identifier=x')).diagnostics).toMatch(/modifiers are not supported/);
    expect((await refusal('?date=2026-13-01')).expression).toEqual(['date']);
    expect((await refusal('?date=2026-02-30')).expression).toEqual(['date']);
    expect((await refusal('?date=xx2026')).expression).toEqual(['date']);
    expect((await refusal('?date=2026-03-03T12:30')).diagnostics).toMatch(/Z or/);
    expect((await refusal('?agent=')).diagnostics).toMatch(/give a value/);
    expect((await refusal('?agent=a,,b')).expression).toEqual(['agent']);
    expect((await refusal('?_total=maybe')).expression).toEqual(['_total']);
    expect((await refusal('?_count=5&_count=6')).expression).toEqual(['_count']);
    expect((await refusal('?_cursor=bm90LWEtY3Vyc29y')).expression).toEqual(['_cursor']);
    // A cursor is followed alone: another parameter beside it would be a second search.
    const page = await get('?_count=1');
    const next = page.body.link.find((l: any) => l.relation === 'next').url as string;
    expect((await refusal(`${next.slice(next.indexOf('?'))}&agent=dr.ada`)).expression).toEqual(['_cursor']);
  });

  it('refuses oversized and repeated input cleanly, never with a 500', async () => {
    expect((await refusal('?_count=99999999999999999999')).expression).toEqual(['_count']);
    expect((await refusal(`?agent=${'x'.repeat(5000)}`)).expression).toEqual(['query']);
    expect((await refusal(`?agent=${'x'.repeat(300)}`)).diagnostics).toMatch(/at most 256/);
    expect(
      (await refusal(`?${Array.from({ length: 17 }, () => 'type=rest').join('&')}`)).diagnostics,
    ).toMatch(/at most 16 parameters/);
    expect((await refusal('?date=ge2026&date=le2027&date=ne2026-05')).diagnostics).toMatch(/at most 2 date/);
    expect(
      (await refusal(`?agent=${Array.from({ length: 21 }, (_, i) => `a${i}`).join(',')}`)).diagnostics,
    ).toMatch(/at most 20/);
    expect((await refusal('?agent=a%00b')).diagnostics).toMatch(/control character/);
    // Past Node's own request-line limit the connection is refused before the ledger reads it: a 4xx, not a 500.
    const giant = await fetch(`${api.url}/fhir/AuditEvent?agent=${'y'.repeat(20_000)}`, {
      headers: { authorization: `Bearer ${await api.token('auditor.amy', 'auditor', { tenantId: A })}` },
    });
    expect(giant.status).toBeGreaterThanOrEqual(400);
    expect(giant.status).toBeLessThan(500);
  });

  it('answers only the readers GraphQL dataAccess answers; a regulator only for its granted systems', async () => {
    expect((await get('', { role: 'emitter' })).status).toBe(403);
    expect((await get('', { role: 'ledger-admin' })).status).toBe(403);
    expect((await get('', { token: false })).status).toBe(401);
    expect((await get('?date=lt2026-05', { role: 'governance-admin' })).body.entry).toHaveLength(5);
    const regulator = await get('?date=lt2026-05', { role: 'regulator', systems: ['sepsis'] });
    expect(regulator.body.entry.map((e: any) => names.get(e.resource.id))).toEqual(['read']);
    const other = await get('', { role: 'regulator', systems: ['other'] });
    expect(other.status).toBe(200);
    expect(other.body.entry).toBeUndefined();
    expect(r4Errors(other.body)).toEqual([]);
    expect((await get('', { role: 'regulator', systems: [] })).status).toBe(403);
  });

  it("never shows another tenant's accesses, whatever is searched", async () => {
    const everything: string[] = [];
    for (let page = await get('?_count=100'); ;) {
      everything.push(...page.body.entry.map((e: any) => e.resource.id));
      const next = page.body.link.find((l: any) => l.relation === 'next');
      if (!next) break;
      page = await get(next.url);
    }
    expect(everything.length).toBeGreaterThanOrEqual(5 + BULK);
    expect(everything.filter((id) => tenantBIds.includes(id))).toEqual([]);
    for (const query of [
      `patient=${RAW}`,
      'agent=dr.ada',
      'entity=Observation/o1',
      'agent=sepsis',
      'source=lab-gateway',
    ]) {
      const inA = (await get(`?${query}`)).body.entry.map((e: any) => e.resource.id);
      const inB = (await get(`?${query}`, { tenantId: B })).body.entry.map((e: any) => e.resource.id);
      expect(inA.length).toBeGreaterThan(0);
      expect(inB.length).toBeGreaterThan(0);
      expect(inA.filter((id: string) => tenantBIds.includes(id))).toEqual([]);
      expect(inB.every((id: string) => tenantBIds.includes(id))).toBe(true);
    }
    // A link from tenant A's search, followed with tenant B's token, searches tenant B: the token names the tenant.
    const page = await get('?agent=dr.ada');
    const self = page.body.link.find((l: any) => l.relation === 'self').url as string;
    const followed = await get(self, { tenantId: B });
    expect(followed.body.entry.length).toBe(page.body.entry.length);
    expect(followed.body.entry.every((e: any) => tenantBIds.includes(e.resource.id))).toBe(true);
  });

  it('serves a CapabilityStatement, without a token, that lists exactly what the endpoint does and validates as R4', async () => {
    const response = await fetch(`${api.url}/fhir/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const statement = (await response.json()) as any;
    expect(r4Errors(statement)).toEqual([]);
    expect(statement).toMatchObject({
      resourceType: 'CapabilityStatement',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['json'],
    });
    expect(statement.instantiates).toBeUndefined();
    const [rest] = statement.rest;
    expect(rest.interaction.map((i: any) => i.code)).toEqual(['batch', 'transaction']);
    const byType = Object.fromEntries(rest.resource.map((r: any) => [r.type, r]));
    expect(Object.keys(byType)).toEqual(['AuditEvent', 'RiskAssessment']);
    expect(byType.AuditEvent.interaction.map((i: any) => i.code)).toEqual(['create', 'read', 'search-type']);
    expect(byType.RiskAssessment.interaction.map((i: any) => i.code)).toEqual(['create']);
    expect(byType.AuditEvent.searchParam.map((p: any) => [p.name, p.type, p.definition])).toEqual([
      ['date', 'date', 'http://hl7.org/fhir/SearchParameter/AuditEvent-date'],
      ['patient', 'reference', 'http://hl7.org/fhir/SearchParameter/clinical-patient'],
      ['agent', 'reference', 'http://hl7.org/fhir/SearchParameter/AuditEvent-agent'],
      ['entity', 'reference', 'http://hl7.org/fhir/SearchParameter/AuditEvent-entity'],
      ['entity-type', 'token', 'http://hl7.org/fhir/SearchParameter/AuditEvent-entity-type'],
      ['type', 'token', 'http://hl7.org/fhir/SearchParameter/AuditEvent-type'],
      ['subtype', 'token', 'http://hl7.org/fhir/SearchParameter/AuditEvent-subtype'],
      ['outcome', 'token', 'http://hl7.org/fhir/SearchParameter/AuditEvent-outcome'],
      ['source', 'reference', 'http://hl7.org/fhir/SearchParameter/AuditEvent-source'],
    ]);
    // Each listed parameter is answered, and one not listed is refused.
    for (const { name } of byType.AuditEvent.searchParam)
      expect((await get(`?${name}=x`)).status).not.toBe(500);
    expect((await get('?address=10.0.0.1')).status).toBe(400);
  });

  it('finds an AuditEvent kept as sent by what it says, not by what the ledger would have written for it', async () => {
    // Stored as the FHIR route stores a BALP record beside its access (issue 19), straight into the store.
    const eventId = randomUUID();
    await api.store.append(
      `${A}/data-access-ehr-gateway`,
      [
        {
          eventId,
          type: 'DataAccessed',
          schemaVersion: 1,
          data: {
            actor: 'dr.sent',
            resource: 'Observation',
            action: 'E',
            purposeOfUse: 'UNK',
            outcome: 'error',
            sourceService: 'ehr-gateway',
            fhir: {
              digest: 'c'.repeat(64),
              resource: {
                resourceType: 'AuditEvent',
                type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112' },
                subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'search-type' }],
                action: 'E',
                recorded: '2026-07-01T00:00:00Z',
                outcome: '12',
                agent: [
                  { who: { identifier: { value: 'dr.sent' } }, requestor: true },
                  { who: { reference: 'Device/client-1' }, requestor: false },
                ],
                source: { observer: { display: 'ehr.example' } },
                entity: [
                  { type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' } },
                ],
              },
            },
          },
          metadata: {
            tenantId: A,
            actor: { id: 'ehr-gateway', role: 'emitter' },
            source: 'ehr-gateway',
            occurredAt: '2026-07-01T00:00:00.000Z',
            correlationId: eventId,
            causationId: eventId,
          },
        },
      ],
      'any',
    );
    await caughtUp(api);
    const finds = async (query: string) =>
      ((await get(`?date=2026-07&${query}`)).body.entry ?? []).some((e: any) => e.resource.id === eventId);
    for (const query of [
      'type=110112',
      'type=http://dicom.nema.org/resources/ontology/DCM|110112',
      'subtype=search-type',
      'outcome=12',
      'agent=dr.sent',
      'agent=Device/client-1',
      'entity-type=2',
      'source=ehr-gateway',
    ])
      expect({ query, found: await finds(query) }).toEqual({ query, found: true });
    // What the ledger would have written (rest, search, 8) is not what was sent.
    for (const query of ['type=rest', 'subtype=search', 'outcome=8', 'entity-type=1', 'agent=nobody'])
      expect({ query, found: await finds(query) }).toEqual({ query, found: false });
  });

  it('never answered anything that held the raw patient identifier', () => {
    expect(responses.length).toBeGreaterThan(50);
    expect(responses.filter((text) => text.includes(RAW))).toEqual([]);
  });
});
