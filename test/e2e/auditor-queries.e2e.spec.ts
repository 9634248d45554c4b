import { createHash, randomUUID } from 'node:crypto';
import { deployableSystem, holdoutOf, ok, PEOPLE, VALIDATION_PLAN } from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

function accessItems(count: number, patient = 'MRN-7', actor = 'dr.reader') {
  return Array.from({ length: count }, () => ({
    eventId: randomUUID(),
    type: 'DataAccessed',
    occurredAt: new Date().toISOString(),
    data: {
      actor,
      datasetId: 'icu-vitals',
      patientId: patient,
      action: 'R',
      purposeOfUse: 'TREAT',
      outcome: 'success',
      systemId: 'q-sys',
    },
  }));
}

describe.each<StoreKind>(['sqlite', 'postgres'])('auditor queries over GraphQL (%s)', (kind) => {
  let api: TestApi;
  let deployedAt: string;
  beforeAll(async () => {
    api = await startTestApi(kind);
    await deployableSystem(api, 'q-sys', 'icu-vitals');
    await ok(api, 'deployModelVersion', { systemId: 'q-sys', version: 'v1' });
    deployedAt = new Date().toISOString();
    await ok(api, 'registerAiSystem', {
      systemId: 'q-other',
      name: 'Other',
      intendedUse: 'x',
      clinicalDomain: 'x',
      riskClass: 'low',
      supplier: 'vendor',
      vendorName: 'V',
      sites: ['east'],
    });
    await api.post('/v1/events', { events: accessItems(30) }, 'ehr-gateway');
    await api.post('/v1/events', { events: accessItems(5, 'MRN-8', 'dr.other') }, 'ehr-gateway');
    await caughtUp(api);
  }, 60_000);
  afterAll(() => api.close());

  it('aiSystem returns status, deployed version, lineage, accountability and incidents', async () => {
    const { data } = await api.graphql<any>(
      `{ aiSystem(id: "q-sys") { id status deployedVersion riskClass supplier sites accountability { role holder accepted }
         versions { version developer validations { passed validator subgroupResults { subgroup passed } } approvals { discipline reviewer } deployments { version cause } }
         openIncidents { incidentId } decisions { action } } }`,
    );
    const system = data.aiSystem;
    expect(system).toMatchObject({
      id: 'q-sys',
      status: 'deployed',
      deployedVersion: 'v1',
      riskClass: 'high',
      supplier: 'in_house',
      sites: ['north', 'south'],
    });
    expect(system.accountability.map((h: { role: string }) => h.role)).toContain('TAKEDOWN_AUTHORITY');
    expect(system.versions[0].validations[0]).toMatchObject({
      passed: true,
      validator: PEOPLE.validator,
      subgroupResults: [{ subgroup: 'age>80', passed: true }],
    });
    expect(system.versions[0].approvals).toHaveLength(4);
    expect(system.versions[0].deployments).toEqual([{ version: 'v1', cause: 'ModelVersionDeployed' }]);
    expect((await api.graphql<any>('{ aiSystem(id: "nope") { id } }')).data.aiSystem).toBeNull();
  });

  it('aiSystems filters by status, risk class, site and role holder, with cursor pages', async () => {
    const ids = async (filter: string) =>
      (
        await api.graphql<any>(`{ aiSystems(filter: ${filter}) { edges { node { id } } } }`)
      ).data.aiSystems.edges.map((e: any) => e.node.id);
    expect(await ids('{ status: deployed }')).toEqual(['q-sys']);
    expect(await ids('{ riskClass: low }')).toEqual(['q-other']);
    expect(await ids('{ site: "east" }')).toEqual(['q-other']);
    expect(await ids(`{ roleHolder: "${PEOPLE.authority}" }`)).toEqual(['q-sys']);
    const first = await api.graphql<any>(
      '{ aiSystems(first: 1) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.data.aiSystems.pageInfo.hasNextPage).toBe(true);
    const second = await api.graphql<any>(
      `{ aiSystems(first: 1, after: "${first.data.aiSystems.pageInfo.endCursor}") { edges { node { id } } pageInfo { hasNextPage } } }`,
    );
    expect([first.data.aiSystems.edges[0].node.id, second.data.aiSystems.edges[0].node.id]).toEqual([
      'q-other',
      'q-sys',
    ]);
    const explicitNulls = await api.graphql<any>(
      '{ aiSystems(filter: null, first: null, after: null) { edges { node { id } } } accountability(systemId: "q-sys", asOf: null) { liveVersion } }',
    );
    expect(explicitNulls.errors).toBeUndefined();
    expect(explicitNulls.data.aiSystems.edges).toHaveLength(2);
    expect(explicitNulls.data.accountability.liveVersion).toBe('v1');
    const tooMany = await api.graphql<any>('{ aiSystems(first: 1000) { edges { cursor } } }');
    expect(tooMany.errors![0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'first' });
  });

  it('accountability(asOf) answers who held each role at that instant and which version was live', async () => {
    const { data } = await api.graphql<any>(
      `{ accountability(systemId: "q-sys", asOf: "${deployedAt}") { liveVersion vacantRequiredRoles holdings { role holder accepted assignedBy } } }`,
    );
    expect(data.accountability).toMatchObject({ liveVersion: 'v1', vacantRequiredRoles: [] });
    expect(data.accountability.holdings).toContainEqual({
      role: 'TAKEDOWN_AUTHORITY',
      holder: PEOPLE.authority,
      accepted: true,
      assignedBy: PEOPLE.admin,
    });
    const before = await api.graphql<any>(
      '{ accountability(systemId: "q-sys", asOf: "2025-12-31T23:59:59Z") { liveVersion holdings { role } } }',
    );
    expect(before.data.accountability).toEqual({ liveVersion: null, holdings: [] });
    const missing = await api.graphql<any>('{ accountability(systemId: "nope") { liveVersion } }');
    expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  it('timeline returns events with envelope and integrity fields, filtered by type', async () => {
    const { data } = await api.graphql<any>(
      '{ timeline(systemId: "q-sys", types: ["ModelVersionDeployed", "AiSystemRegistered"]) { edges { node { type stream revision position metadata { actor { id } recordedAt } integrity { hash prevHash } } } } }',
    );
    const nodes = data.timeline.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.type)).toEqual(['AiSystemRegistered', 'ModelVersionDeployed']);
    expect(nodes[0]).toMatchObject({
      stream: 'default/ai-system-q-sys',
      revision: 0,
      integrity: { prevHash: '0'.repeat(64) },
    });
    expect(nodes[1].integrity.hash).toMatch(/^[0-9a-f]{64}$/);
    const both = await api.graphql<any>('{ timeline(systemId: "q-sys", stream: "x") { edges { cursor } } }');
    expect(both.errors![0].extensions!.code).toBe('VALIDATION_FAILED');
  });

  it('dataAccess filters by a raw patient id, which the server pseudonymises, and by actor', async () => {
    const { data } = await api.graphql<any>(
      '{ dataAccess(filter: { patientId: "MRN-8" }) { edges { node { actor patientPseudonym datasetId } } } }',
    );
    expect(data.dataAccess.edges).toHaveLength(5);
    expect(data.dataAccess.edges[0].node).toMatchObject({
      actor: 'dr.other',
      datasetId: 'icu-vitals',
      patientPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const byActor = await api.graphql<any>(
      '{ dataAccess(filter: { actor: "dr.reader", outcome: success }, first: 100) { edges { node { actor } } } }',
    );
    expect(byActor.data.dataAccess.edges).toHaveLength(30);
  });

  it('dataAccess counts every match, and exportDataAccessCsv exports them all, recorded in the self-audit with the patient by pseudonym only', async () => {
    const counted = await api.graphql<any>(
      '{ dataAccess(filter: { actor: "dr.reader" }, first: 2) { totalCount edges { cursor } } }',
    );
    expect(counted.data.dataAccess).toMatchObject({ totalCount: 30, edges: [{}, {}] });

    const { data } = await api.graphql<any>(
      'mutation { exportDataAccessCsv(filter: { patientId: "MRN-8" }) { csv rowCount recordedAs } }',
    );
    const { csv, rowCount, recordedAs } = data.exportDataAccessCsv;
    const lines = csv.split('\r\n').filter(Boolean);
    expect(rowCount).toBe(5);
    expect(lines).toHaveLength(6);
    expect(lines.slice(1).every((line: string) => line.split(',')[3] === 'dr.other')).toBe(true);
    expect(csv).not.toContain('MRN-8');

    // The timeline indexes events as the projections reach them.
    await caughtUp(api);
    const audit = await api.graphql<any>(
      '{ timeline(stream: "ledger-self-audit", types: ["DataAccessExported"], first: 100) { edges { node { eventId data } } } }',
    );
    const record = audit.data.timeline.edges.find((e: any) => e.node.eventId === recordedAs);
    const recorded = JSON.parse(record.node.data);
    expect(recorded).toMatchObject({
      operation: 'graphql exportDataAccessCsv',
      rowCount: 5,
      patientPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
      csvSha256: createHash('sha256').update(csv).digest('hex'),
    });
    expect(JSON.stringify(recorded)).not.toContain('MRN-8');
  });

  it('exportDataAccessCsv refuses a search matching more than 10,000 accesses, naming the filter, and records no export', async () => {
    for (let batch = 0; batch < 11; batch++)
      await api.post(
        '/v1/events',
        { events: accessItems(batch < 10 ? 1000 : 1, 'MRN-9', 'dr.bulk') },
        'ehr-gateway',
      );
    await caughtUp(api);
    const exports = async () =>
      (
        await api.graphql<any>(
          '{ timeline(stream: "ledger-self-audit", types: ["DataAccessExported"], first: 100) { edges { cursor } } }',
        )
      ).data.timeline.edges.length;
    const before = await exports();
    const { data, errors } = await api.graphql<any>(
      'mutation { exportDataAccessCsv(filter: { actor: "dr.bulk" }) { rowCount } }',
    );
    expect(data).toBeNull();
    expect(errors![0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'filter' });
    expect(errors![0].message).toMatch(/more than 10000 accesses; a CSV export holds at most 10000/);
    await caughtUp(api);
    expect(await exports()).toBe(before);
  }, 120_000);

  it('modelVersion returns the version with its validation plan and its dataset lineage', async () => {
    const { data } = await api.graphql<any>(
      '{ modelVersion(systemId: "q-sys", version: "v1") { version developer trainingDatasetIds trainingDatasets { id classification approvedPurposes } validationPlan { datasetId metrics { name threshold direction } subgroups { subgroup metrics { name threshold direction } } plannedBy plannedAt } validations { passed } } }',
    );
    expect(data.modelVersion).toMatchObject({
      version: 'v1',
      developer: PEOPLE.developer,
      trainingDatasetIds: ['icu-vitals'],
      trainingDatasets: [
        { id: 'icu-vitals', classification: 'de_identified', approvedPurposes: ['model-training'] },
      ],
      validationPlan: {
        datasetId: holdoutOf('q-sys', 'v1'),
        ...VALIDATION_PLAN,
        plannedBy: PEOPLE.performanceOwner,
        plannedAt: expect.any(String),
      },
      validations: [{ passed: true }],
    });
  });

  it('complianceFindings names the rule, system, since and proving events', async () => {
    const { data } = await api.graphql<any>(
      '{ complianceFindings(filter: { rule: DATA_ACCESS_WITHOUT_GRANT }) { rule systemId subject since evidence } }',
    );
    expect(data.complianceFindings[0]).toMatchObject({
      rule: 'DATA_ACCESS_WITHOUT_GRANT',
      systemId: 'q-sys',
      subject: 'icu-vitals/dr.reader',
    });
    expect(data.complianceFindings[0].evidence.length).toBeGreaterThan(0);
    const later = await api.graphql<any>(
      `{ complianceFindings(filter: { systemId: "q-sys", rule: AUDIT_OVERDUE, asOf: "${new Date(Date.now() + 400 * 86_400_000).toISOString()}" }) { rule } }`,
    );
    expect(later.data.complianceFindings).toEqual([{ rule: 'AUDIT_OVERDUE' }]);
  });

  it('pages stay stable while appends run concurrently: no event is skipped or repeated', async () => {
    await api.post('/v1/events', { events: accessItems(120, 'MRN-9', 'dr.pager') }, 'ehr-gateway');
    await caughtUp(api);
    const seen: string[] = [];
    let after: string | undefined;
    const appending = (async () => {
      for (let i = 0; i < 5; i++)
        await api.post('/v1/events', { events: accessItems(20, 'MRN-9', 'dr.pager') }, 'ehr-gateway');
    })();
    for (;;) {
      const page = await api.graphql<any>(
        `query($after: String) { dataAccess(filter: { actor: "dr.pager" }, first: 25, after: $after) { edges { node { eventId position } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const { edges, pageInfo } = page.data.dataAccess;
      seen.push(...edges.map((e: any) => e.node.position));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
      await new Promise((r) => setTimeout(r, 5));
    }
    await appending;
    expect(new Set(seen).size).toBe(seen.length);
    const positions = seen.map(BigInt);
    positions.forEach((p, i) => i > 0 && expect(p < positions[i - 1]).toBe(true));
    // Everything at or below the first page's newest event is there exactly once.
    expect(seen.length).toBeGreaterThanOrEqual(120);
  });
});
