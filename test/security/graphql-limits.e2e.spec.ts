import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print } from 'graphql';
import { MerkleProofService } from '@ledger/transparency-log';
import { newEvent } from '../support/events';
import { startTestApi, type TestApi } from '../support/ledger-api';

const TENANT = 'tenant-a';
const SYSTEM = 'limits-sys';
const EVENTS = 100;
const LIMIT_CODES = [
  'QUERY_TOO_COSTLY',
  'QUERY_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'VALIDATION_FAILED',
  undefined,
];

/**
 * What one caller may ask of /graphql, tried as an attacker would (issue 17,
 * items 1, 2, 12 and 14): queries whose cost is hidden in pages, aliases and
 * fragments, documents too large to parse cheaply, over-long lists, and a page
 * of proofs that must not hold the event loop while it is worked out.
 */
describe('GraphQL abuse limits', () => {
  let api: TestApi;

  const raw = async (body: string, token?: string) => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const auditor = async (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
    raw(
      JSON.stringify({ query, variables, operationName }),
      await api.token('auditor.amy', 'auditor', { tenantId: TENANT }),
    );

  beforeAll(async () => {
    api = await startTestApi('sqlite', {
      LEDGER_CHECKPOINT_EVERY_EVENTS: String(EVENTS),
      // The console's CSV export records itself in the self-audit; the export after it waits for a checkpoint over that event.
      LEDGER_CHECKPOINT_EVERY_MS: '1000',
    });
    for (let i = 0; i < EVENTS; i++)
      await api.store.append(`${TENANT}/limits`, [newEvent({ systemId: SYSTEM, i })], 'any');
    // Every event in the timeline and under a signed checkpoint, so proofs can be asked for.
    for (const deadline = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 50))) {
      const { body } = await auditor(
        `{ checkpoint { treeSize } timeline(systemId: "${SYSTEM}", first: 100) { edges { cursor } } }`,
      );
      if (body.data?.checkpoint?.treeSize >= EVENTS && body.data.timeline.edges.length === EVENTS) break;
      if (Date.now() > deadline)
        throw new Error(`the ledger did not seal ${EVENTS} events: ${JSON.stringify(body)}`);
    }
  });
  afterAll(() => api?.close());

  describe('query cost', () => {
    it('refuses, before it runs, aliased pages whose fields sit in a fragment, naming the cost and the limit', async () => {
      // 30 aliased pages of 100 rows, each row's fields in one fragment: once counted only once, now at each spread.
      const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: dataAccess(first: 100) { ...Page }`).join(
        ' ',
      );
      const query = `{ ${aliases} } fragment Page on DataAccessConnection { edges { cursor node { position eventId actor datasetId resource patientPseudonym action purposeOfUse outcome sourceService systemId occurredAt violation } } }`;
      const { status, body } = await auditor(query);
      expect(status).toBe(400);
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      const [error] = body.errors;
      expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', details: { limit: 10_000 } });
      const cost = error.extensions.details.cost as number;
      // 30 × (1 + 100 × (edges + cursor + node + 13 fields))
      expect(cost).toBe(30 * (1 + 100 * 16));
      expect(error.message).toContain(`would cost ${cost}, above the limit of 10000`);
    });

    it('weighs inclusion proofs: a page of them with every proof asked for twice is refused', async () => {
      const proof = 'inclusionProof { leafIndex treeSize rootHash proof checkpoint }';
      const query = `query($first: Int) { timeline(systemId: "${SYSTEM}", first: $first) { edges { node { ...Proofs } } } } fragment Proofs on LedgerEvent { a: ${proof} b: ${proof} }`;
      const refused = await auditor(query, { first: 100 });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].extensions).toMatchObject({
        code: 'QUERY_TOO_COSTLY',
        details: { cost: 1 + 100 * (2 + 2 * (50 + 5)) },
      });
      // The same document, with a smaller page given as a variable, is within the limit and answered.
      const answered = await auditor(query, { first: 10 });
      expect(answered.body.errors).toBeUndefined();
      expect(answered.body.data.timeline.edges).toHaveLength(10);
      // Measures are kept per document and variables: the larger page is still refused the second time it is asked.
      expect((await auditor(query, { first: 100 })).body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
    });

    it('lets every query the auditor console sends through, at the largest page it asks for', async () => {
      const document = parse(
        readFileSync(join(__dirname, '../../apps/auditor-console/src/queries.graphql'), 'utf8'),
      );
      const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map(print);
      const variables: Record<string, Record<string, unknown>> = {
        Systems: {},
        System: { id: SYSTEM },
        AsOf: { systemId: SYSTEM },
        Timeline: { systemId: SYSTEM, first: 100 },
        DataAccess: {},
        // Every match as CSV: within the cost limit, whatever the ledger holds (its rows are bounded apart, at 10,000).
        DataAccessCsv: {},
        Findings: {},
        Performance: { id: SYSTEM },
        // An unknown system: the export is refused after the limits have let it through.
        Export: { systemId: 'no-such-system' },
      };
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations.map((o) => o.name!.value).sort()).toEqual(Object.keys(variables).sort());
      for (const operation of operations) {
        const name = operation.name!.value;
        const used = fragments.filter((f) => print(operation).includes(`...${/fragment (\w+)/.exec(f)![1]}`));
        const { status, body } = await raw(
          JSON.stringify({ query: [print(operation), ...used].join('\n'), variables: variables[name] }),
          await api.token('auditor.amy', 'auditor', { tenantId: TENANT }),
        );
        // The system is not registered, so some are answered NOT_FOUND or UNKNOWN_SYSTEM; none is refused by a limit.
        const codes = (body.errors ?? []).map((e: any) => e.extensions?.code);
        expect({ name, status, codes: codes.filter((code: string) => LIMIT_CODES.includes(code)) }).toEqual({
          name,
          status: 200,
          codes: [],
        });
      }
    });
  });

  describe('expensive work yields', () => {
    it('answers /health/live while the most proofs the cost limit allows are being worked out', async () => {
      const order: string[] = [];
      let proving!: () => void;
      const firstProof = new Promise<void>((resolve) => (proving = resolve));
      const prove = MerkleProofService.prototype.inclusionProofs;
      const spy = jest.spyOn(MerkleProofService.prototype, 'inclusionProofs').mockImplementation(function (
        this: MerkleProofService,
        ...args
      ) {
        proving();
        return prove.apply(this, args);
      });
      try {
        // 2 × (1 + 90 × (edges + node + inclusionProof 50 + leafIndex)) = 9542: 180 proofs.
        const page = `timeline(systemId: "${SYSTEM}", first: 90) { edges { node { inclusionProof { leafIndex } } } }`;
        const expensive = auditor(`{ a: ${page} b: ${page} }`).then((response) => {
          order.push('proofs');
          return response;
        });
        await firstProof;
        const health = fetch(`${api.url}/health/live`).then((response) => {
          order.push('health');
          return response;
        });
        const [proofs, live] = await Promise.all([expensive, health]);
        expect(live.status).toBe(200);
        expect(proofs.body.errors).toBeUndefined();
        expect(proofs.body.data.a.edges).toHaveLength(90);
        expect(
          proofs.body.data.b.edges.every((e: any) => Number.isInteger(e.node.inclusionProof.leafIndex)),
        ).toBe(true);
        expect(order).toEqual(['health', 'proofs']);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('documents', () => {
    it('answers 413 for a body over 64 KiB on /graphql, while ingest keeps its own larger limit', async () => {
      const padding = 'x'.repeat(70 * 1024);
      const { status, body } = await auditor(`{ ledger { store } }`, { padding });
      expect(status).toBe(413);
      expect(body.errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(body.errors[0].message).toContain(
        'the request body is larger than 65536 bytes, the limit on /graphql (LEDGER_GRAPHQL_MAX_BODY_BYTES)',
      );
      // An ingest batch of the same size is not refused for its size.
      const emitter = await api.token('ehr-gateway', 'emitter', { tenantId: TENANT });
      const ingest = await fetch(`${api.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emitter}` },
        body: JSON.stringify({ events: [], padding }),
      });
      expect(ingest.status).not.toBe(413);
    });

    it('never parses a 3 MB document from a caller without a valid token, and refuses it from an emitter by size', async () => {
      const huge = JSON.stringify({ query: `{ ${'a: __typename '.repeat(220_000)} }` });
      expect(huge.length).toBeGreaterThan(3_000_000);
      const anonymous = await raw(huge);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
      const forged = await raw(huge, 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln');
      expect(forged.status).toBe(401);
      const emitter = await raw(huge, await api.token('ehr-gateway', 'emitter', { tenantId: TENANT }));
      expect(emitter.status).toBe(413);
    });

    it('stops parsing a document of more than 1000 tokens, with 400 naming the limit', async () => {
      const query = `{ ${Array.from({ length: 400 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
      const { status, body } = await auditor(query);
      expect(status).toBe(400);
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_LARGE', field: 'query' });
      expect(body.errors[0].message).toContain('more than 1000 tokens (LEDGER_GRAPHQL_MAX_TOKENS)');
    });

    it('refuses nesting deeper than 8 levels', async () => {
      const { status, body } = await auditor(
        '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }',
      );
      expect(status).toBe(400);
      expect(body.errors[0].message).toMatch(/depth/i);
    });

    it('keeps the heap bounded however many distinct documents arrive', async () => {
      // Each document near the token limit, each one different: every one is parsed and could be cached.
      const documents = Array.from(
        { length: 250 },
        (_, d) => `{ ${Array.from({ length: 250 }, (_, i) => `d${d}x${i}: __typename`).join(' ')} }`,
      );
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error('run jest with node --expose-gc to measure the heap');
      const token = await api.token('auditor.amy', 'auditor', { tenantId: TENANT });
      const send = (query: string) => raw(JSON.stringify({ query }), token);
      await send(documents[0]);
      gc();
      const before = process.memoryUsage().heapUsed;
      for (const query of documents) expect((await send(query)).status).toBe(200);
      gc();
      const grown = process.memoryUsage().heapUsed - before;
      console.log(
        `heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB after ${documents.length} distinct documents`,
      );
      // At most 2 × 64 documents kept (quick-lru keeps up to twice its size); all 250 kept, with their token lists, would be ~70 MB.
      expect(grown).toBeLessThan(40 * 2 ** 20);
    });
  });

  describe('list arguments', () => {
    const byTypes = (types: string[]) =>
      auditor(
        `query($types: [String!]) { timeline(systemId: "${SYSTEM}", types: $types, first: 5) { edges { cursor } } }`,
        { types },
      );

    it('refuses 5,000 timeline types with 400 naming the argument', async () => {
      const { status, body } = await byTypes(Array.from({ length: 5_000 }, (_, i) => `T${i}`));
      expect(status).toBe(400);
      expect(body.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'timeline.types' });
      expect(body.errors[0].message).toContain(
        'timeline.types holds 5000 items; a list argument holds at most 100 (LEDGER_GRAPHQL_MAX_LIST_ITEMS)',
      );
    });

    it('refuses 40,000 timeline types, which no longer fit in a request, with 413', async () => {
      const { status, body } = await byTypes(Array.from({ length: 40_000 }, (_, i) => `Type${i}`));
      expect(status).toBe(413);
      expect(body.errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('accepts 100 types', async () => {
      const { body } = await byTypes(
        Array.from({ length: 100 }, (_, i) => (i === 0 ? 'TestRecorded' : `Type${i}`)),
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.timeline.edges).toHaveLength(5);
    });
  });
});

describe('GraphQL limits from the environment', () => {
  let api: TestApi;
  beforeAll(
    async () =>
      (api = await startTestApi('sqlite', {
        LEDGER_GRAPHQL_MAX_COST: '50',
        LEDGER_GRAPHQL_MAX_BODY_BYTES: String(2 ** 20),
      })),
  );
  afterAll(() => api?.close());

  it('refuses above LEDGER_GRAPHQL_MAX_COST and answers below it', async () => {
    // The default page of 20 systems, each row edges + node + id + name: 1 + 20 × 4.
    const refused = await api.graphql('{ aiSystems { edges { node { id name } } } }');
    expect(refused.status).toBe(400);
    expect(refused.errors![0].extensions).toMatchObject({
      code: 'QUERY_TOO_COSTLY',
      details: { cost: 81, limit: 50 },
    });
    const answered = await api.graphql('{ aiSystems(first: 5) { edges { node { id name } } } }');
    expect(answered.errors).toBeUndefined();
  });

  it('refuses a 40,000-item timeline(types:) with 400 naming the argument, not 500, once the body may hold it', async () => {
    const types = Array.from({ length: 40_000 }, (_, i) => `Type${i}`);
    const { status, errors } = await api.graphql(
      'query($types: [String!]) { timeline(systemId: "s", types: $types, first: 1) { edges { cursor } } }',
      { types },
    );
    expect(status).toBe(400);
    expect(errors![0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'timeline.types' });
    expect(errors![0].message).toContain('timeline.types holds 40000 items');
  });
});
