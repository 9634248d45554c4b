import { randomUUID } from 'node:crypto';
import { deployableSystem } from '../support/governance';
import { startTestApi, type TestApi } from '../support/ledger-api';

/**
 * Two hospitals on one ledger, with systems of the same names. Each sees only
 * its own: by id, by filter, through cursors and through proofs.
 */
describe('tenant isolation', () => {
  let api: TestApi;
  const as = (tenantId: string) => ({
    graphql: async <T = any>(query: string, variables: Record<string, unknown> = {}) => {
      const token = await api.token('auditor.amy', 'auditor', { tenantId });
      const response = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data: T; errors?: Array<{ extensions?: { code?: string } }> };
    },
  });

  async function seed(tenantId: string, marker: string) {
    const gov = await api.token('admin.grace', 'governance-admin', { tenantId });
    const emitter = await api.token('ehr-gateway', 'emitter', { tenantId });
    // Same system ids in both tenants: only the token decides whose they are.
    const registered = await api.graphql(
      'mutation($i: RegisterAiSystemInput!) { registerAiSystem(input: $i) { stream } }',
      {
        i: {
          systemId: 'sepsis',
          name: `Sepsis ${marker}`,
          intendedUse: marker,
          clinicalDomain: 'icu',
          riskClass: 'high',
          supplier: 'in_house',
          sites: [marker],
        },
      },
      'admin.grace',
      { authorization: `Bearer ${gov}` },
    );
    expect(registered.errors).toBeUndefined();
    const source = await api.graphql(
      'mutation($i: RegisterAuditSourceInput!) { registerAuditSource(input: $i) { stream } }',
      { i: { systemId: 'sepsis', sourceService: 'ehr-gateway', expectedInterval: 'P1D' } },
      'admin.grace',
      { authorization: `Bearer ${gov}` },
    );
    expect(source.errors).toBeUndefined();
    const events = Array.from({ length: 30 }, () => ({
      eventId: randomUUID(),
      type: 'DataAccessed',
      occurredAt: new Date().toISOString(),
      data: {
        actor: 'dr.same',
        datasetId: 'icu',
        patientId: 'MRN-SHARED',
        action: 'R',
        purposeOfUse: 'TREAT',
        outcome: 'success',
        systemId: 'sepsis',
      },
    }));
    const response = await fetch(`${api.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${emitter}` },
      body: JSON.stringify({ events }),
    });
    expect(response.status).toBe(200);
    // What the ledger stored them as: proofs and queries name the ledger's ids.
    const { results } = (await response.json()) as { results: Array<{ ledgerEventId: string }> };
    return results.map((r) => r.ledgerEventId);
  }

  let idsA: string[];
  let idsB: string[];
  beforeAll(async () => {
    api = await startTestApi('sqlite', { LEDGER_CHECKPOINT_EVERY_MS: '200' });
    idsA = await seed('hospital-a', 'alpha');
    idsB = await seed('hospital-b', 'bravo');
    await deployableSystem(api, 'default-only');
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      const { data } = await as('hospital-a').graphql('{ ledger { headPosition projections { position } } }');
      if (
        data.ledger.projections.every(
          (p: { position: string }) => BigInt(p.position) >= BigInt(data.ledger.headPosition),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }, 60_000);
  afterAll(() => api.close());

  it('answers the same system id with each tenant’s own system', async () => {
    const a = await as('hospital-a').graphql(
      '{ aiSystem(id: "sepsis") { name sites } aiSystems { edges { node { id name } } } }',
    );
    const b = await as('hospital-b').graphql(
      '{ aiSystem(id: "sepsis") { name sites } aiSystems { edges { node { id name } } } }',
    );
    expect(a.data.aiSystem).toEqual({ name: 'Sepsis alpha', sites: ['alpha'] });
    expect(b.data.aiSystem).toEqual({ name: 'Sepsis bravo', sites: ['bravo'] });
    expect(a.data.aiSystems.edges).toEqual([{ node: { id: 'sepsis', name: 'Sepsis alpha' } }]);
    expect(
      (await as('hospital-a').graphql('{ aiSystem(id: "default-only") { name } }')).data.aiSystem,
    ).toBeNull();
  });

  it('answers two tenants asking word for word the same question each from their own rows', async () => {
    // The document's cost and the queries' SQL are prepared once and shared; only the tenant bound to them differs.
    const question = `{ dataAccess(filter: { datasetId: "icu", purposeOfUse: "TREAT" }, first: 50) { edges { node { eventId } } }
      accountability(systemId: "sepsis", asOf: "${new Date(Date.now() + 86_400_000).toISOString()}") { systemId } }`;
    const eventIds = (answer: { data: any }) =>
      answer.data.dataAccess.edges.map((e: { node: { eventId: string } }) => e.node.eventId);
    const a = await as('hospital-a').graphql(question);
    const again = await as('hospital-a').graphql(question);
    const b = await as('hospital-b').graphql(question);
    expect(eventIds(a).sort()).toEqual([...idsA].sort());
    expect(eventIds(again)).toEqual(eventIds(a));
    expect(eventIds(b).sort()).toEqual([...idsB].sort());
    expect(b.data.accountability).toEqual({ systemId: 'sepsis' });
    expect((await as('hospital-c').graphql(question)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('filters data access by patient within the tenant only, and a cursor cannot cross', async () => {
    const page = await as('hospital-a').graphql(
      '{ dataAccess(filter: { patientId: "MRN-SHARED" }, first: 10) { edges { node { eventId } } pageInfo { endCursor } } }',
    );
    const mine = new Set(idsA);
    expect(
      page.data.dataAccess.edges.every((e: { node: { eventId: string } }) => mine.has(e.node.eventId)),
    ).toBe(true);
    const cursor = page.data.dataAccess.pageInfo.endCursor;
    const stolen = await as('hospital-b').graphql(
      'query($after: String) { dataAccess(first: 100, after: $after) { edges { node { eventId } } } }',
      { after: cursor },
    );
    expect(
      stolen.data.dataAccess.edges.some((e: { node: { eventId: string } }) => mine.has(e.node.eventId)),
    ).toBe(false);
    const pseudonyms = async (tenant: string) =>
      (await as(tenant).graphql('{ dataAccess(first: 1) { edges { node { patientPseudonym } } } }')).data
        .dataAccess.edges[0].node.patientPseudonym;
    // The same patient has unrelated pseudonyms in two organisations.
    expect(await pseudonyms('hospital-a')).not.toBe(await pseudonyms('hospital-b'));
  });

  it('keeps timelines and compliance findings apart', async () => {
    const timeline = await as('hospital-b').graphql(
      '{ timeline(systemId: "sepsis") { edges { node { metadata { tenantId } data } } } }',
    );
    const tenants = new Set(timeline.data.timeline.edges.map((e: any) => e.node.metadata.tenantId));
    expect([...tenants]).toEqual(['hospital-b']);
    const stream = await as('hospital-b').graphql(
      '{ timeline(stream: "ai-system-sepsis") { edges { node { data } } } }',
    );
    expect(stream.data.timeline.edges.map((e: any) => JSON.parse(e.node.data).name)).toEqual([
      'Sepsis bravo',
    ]);
    const findings = await as('hospital-b').graphql('{ complianceFindings { systemId evidence } }');
    const foreign = new Set(idsA);
    expect(
      findings.data.complianceFindings
        .flatMap((f: { evidence: string[] }) => f.evidence)
        .some((id: string) => foreign.has(id)),
    ).toBe(false);
  });

  it('gives a regulator inclusion proofs only for the systems granted to it', async () => {
    const proofAs = async (systems: string[]) => {
      const token = await api.token('inspector.ina', 'regulator', { tenantId: 'hospital-a', systems });
      for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 100))) {
        const response = await fetch(`${api.url}/v1/proofs/inclusion?eventId=${idsA[0]}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        // Until the sealer has signed a checkpoint covering the event, even the granted regulator hears 404.
        if (response.status !== 404 || !systems.includes('sepsis') || Date.now() > deadline)
          return { status: response.status, body: (await response.json()) as any };
      }
    };
    expect((await proofAs(['sepsis'])).status).toBe(200);
    const other = await proofAs(['imaging-triage']);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('UNKNOWN_EVENT');
  });

  it("refuses an inclusion proof for another tenant's event exactly as for a missing one", async () => {
    const proofFor = async (tenantId: string, eventId: string) => {
      const token = await api.token('auditor.amy', 'auditor', { tenantId });
      for (const deadline = Date.now() + 15_000; ;) {
        const response = await fetch(`${api.url}/v1/proofs/inclusion?eventId=${eventId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (response.status !== 404 || Date.now() > deadline)
          return { status: response.status, body: (await response.json()) as any };
        if (tenantId !== 'hospital-a')
          return { status: response.status, body: (await response.json()) as any };
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    expect((await proofFor('hospital-a', idsA[0])).status).toBe(200);
    const foreign = await proofFor('hospital-b', idsA[0]);
    const missing = await proofFor('hospital-b', randomUUID());
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe(missing.body.error.code);
    expect(idsB.length).toBe(30);
  });

  it('gives GraphQL inclusion proofs only for the caller’s own events, even for a system id both tenants use', async () => {
    const proofs = async (tenantId: string) => {
      for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 100))) {
        const { data, errors } = await as(tenantId).graphql(
          '{ timeline(systemId: "sepsis", types: ["DataAccessed"], first: 100) { edges { node { eventId inclusionProof { eventId } } } } }',
        );
        // Proofs come once the sealer has signed a checkpoint covering the events.
        if (!errors || Date.now() > deadline)
          return {
            nodes: data.timeline.edges.map((e: any) => e.node) as Array<{
              eventId: string;
              inclusionProof: { eventId: string } | null;
            }>,
            errors,
          };
      }
    };
    const b = await proofs('hospital-b');
    expect(b.errors).toBeUndefined();
    expect(b.nodes.map((n) => n.inclusionProof?.eventId).sort()).toEqual([...idsB].sort());
    expect(b.nodes.some((n) => idsA.includes(n.eventId))).toBe(false);
    const a = await proofs('hospital-a');
    expect(a.nodes.map((n) => n.inclusionProof?.eventId).sort()).toEqual([...idsA].sort());
  });
});
