import { allows, GRAPHQL_POLICY, ROLES, type Role } from '@ledger/auth';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLInputType,
} from 'graphql';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, REPO_ROOT, spawnTs } from '../support/child-process';
import { registerSystem } from '../support/governance';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/**
 * Thousands of malformed requests: each must be answered 4xx naming what is
 * wrong, none may be a 5xx, and none may store an event.
 */
describe('fuzzing the edges (fast-check)', () => {
  let api: TestApi;
  let emitter: string;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { LEDGER_RATE_LIMIT_PER_MINUTE: '1000000' });
    emitter = await api.token('ehr-gateway', 'emitter');
    admin = await api.token('admin.grace', 'governance-admin');
  });
  afterAll(() => api.close());

  const send = (path: string, token: string, body: string) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
    }));

  const json = fc.jsonValue({ maxDepth: 4 });
  const nearlyValidItem = fc.record(
    {
      eventId: fc.oneof(fc.uuid(), fc.string(), fc.integer(), fc.constant(null)),
      type: fc.oneof(fc.constantFrom('DataAccessed', 'ModelVersionDeployed', ''), fc.string()),
      schemaVersion: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
      occurredAt: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      data: fc.oneof(
        fc.record(
          {
            actor: fc.oneof(fc.string(), fc.integer()),
            datasetId: fc.oneof(fc.string(), fc.constant('icu')),
            patientId: fc.oneof(fc.string(), fc.integer(), fc.constant('')),
            action: fc.oneof(fc.constantFrom('R', 'X', ''), fc.string()),
            purposeOfUse: fc.string(),
            outcome: fc.oneof(fc.constantFrom('success', 'nope'), fc.string()),
            resource: fc.oneof(fc.constant('Patient/123'), fc.string()),
            extra: json,
          },
          { requiredKeys: [] },
        ),
        json,
      ),
      junk: json,
    },
    { requiredKeys: [] },
  );

  it('POST /v1/events answers every malformed batch or item with a 4xx or a rejected item naming the field, and stores nothing', async () => {
    const head = await api.store.headPosition();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .array(nearlyValidItem, { minLength: 1, maxLength: 5 })
            .map((events) => JSON.stringify({ events })),
          json.map((v) => JSON.stringify(v)),
          fc.string(),
        ),
        async (body) => {
          const { status, text } = await send('/v1/events', emitter, body);
          expect(status).toBeLessThan(500);
          expect(text).not.toContain('"INTERNAL"');
          const answer = JSON.parse(text);
          if (status >= 400) expect(answer.error.message.length).toBeGreaterThan(0);
          else
            for (const result of answer.results)
              if (result.status === 'rejected') expect(typeof result.error.field).toBe('string');
          return answer.accepted === undefined || answer.accepted === 0;
        },
      ),
      { numRuns: 1500 },
    );
    expect(await api.store.headPosition()).toBe(head);
  }, 300_000);

  it('POST /fhir/AuditEvent answers malformed resources with a 4xx OperationOutcome naming the element, never a 5xx, and stores nothing', async () => {
    const coding = fc.record(
      {
        system: fc.oneof(fc.string(), fc.webUrl()),
        code: fc.oneof(fc.constantFrom('R', 'C', '110110', 'rest'), fc.string()),
      },
      { requiredKeys: [] },
    );
    const auditEvent = fc.record(
      {
        resourceType: fc.oneof(fc.constantFrom('AuditEvent', 'Bundle', 'Patient'), fc.string()),
        type: fc.oneof(coding, json),
        action: fc.oneof(fc.constantFrom('R', 'C', 'Z'), fc.string()),
        recorded: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        outcome: fc.oneof(fc.constantFrom('0', '4', '8'), fc.string()),
        agent: fc.oneof(
          fc.array(
            fc.record({
              who: fc.record({ identifier: fc.record({ value: fc.string() }) }),
              requestor: fc.boolean(),
            }),
            { maxLength: 3 },
          ),
          json,
        ),
        source: fc.oneof(fc.record({ observer: fc.record({ display: fc.string() }) }), json),
        entity: fc.oneof(
          fc.array(
            fc.record({ what: fc.record({ reference: fc.oneof(fc.constant('Patient/123'), fc.string()) }) }),
            { maxLength: 3 },
          ),
          json,
        ),
        purposeOfEvent: json,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          auditEvent.map((r) => JSON.stringify(r)),
          json.map((v) => JSON.stringify(v)),
        ),
        async (body) => {
          const before = await api.store.headPosition();
          const response = await fetch(`${api.url}/fhir/AuditEvent`, {
            method: 'POST',
            headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${emitter}` },
            body,
          });
          const text = await response.text();
          expect(response.status).toBeLessThan(500);
          expect(text).not.toContain('"INTERNAL"');
          if (response.status >= 400) {
            const answer = JSON.parse(text);
            const issues =
              answer.resourceType === 'OperationOutcome'
                ? answer.issue
                : [{ diagnostics: answer.error?.message, expression: [answer.error?.field ?? 'body'] }];
            expect(issues.length).toBeGreaterThan(0);
            for (const issue of issues as Array<{
              diagnostics?: string;
              details?: { text?: string };
              expression?: string[];
            }>) {
              expect((issue.diagnostics ?? issue.details?.text ?? '').length).toBeGreaterThan(0);
              expect(issue.expression?.[0]?.length).toBeGreaterThan(0);
            }
            // A refused resource stores nothing (a fuzzed resource that happens to be valid may be stored).
            expect(await api.store.headPosition()).toBe(before);
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 300_000);

  it('GraphQL answers malformed documents and inputs with errors that say what is wrong, never a 5xx, and stores nothing', async () => {
    const head = await api.store.headPosition();
    const inputs = fc.record(
      {
        systemId: fc.oneof(fc.string(), fc.constant('')),
        name: fc.oneof(fc.string(), fc.integer()),
        intendedUse: fc.string(),
        clinicalDomain: fc.string({ maxLength: 0 }),
        riskClass: fc.oneof(fc.constantFrom('high', 'extreme'), fc.string()),
        supplier: fc.oneof(fc.constantFrom('vendor', 'in_house'), fc.string()),
        sites: fc.oneof(fc.array(fc.string()), fc.string()),
        bogus: json,
      },
      { requiredKeys: [] },
    );
    const documents = fc.oneof(
      inputs.map((input) =>
        JSON.stringify({
          query: 'mutation($i: RegisterAiSystemInput!) { registerAiSystem(input: $i) { stream } }',
          variables: { i: input },
        }),
      ),
      fc.string().map((query) => JSON.stringify({ query })),
      json.map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(documents, async (body) => {
        const { status, text } = await send('/graphql', admin, body);
        expect(status).toBeLessThan(500);
        expect(text).not.toContain('"INTERNAL"');
        const answer = JSON.parse(text);
        const messages = answer.errors?.map((e: { message: string }) => e.message) ?? [answer.error?.message];
        expect(messages.every((m: unknown) => typeof m === 'string' && m.length > 0)).toBe(true);
      }),
      { numRuns: 1500 },
    );
    expect(await api.store.headPosition()).toBe(head);
  }, 300_000);
});

/*
 * Every write route, on both stores, with inputs a hostile or broken client
 * sends: lone surrogates, NULs and other control characters, numbers JSON
 * cannot hold in a double (1e400), nesting around and far past the limit,
 * wrong types, missing and extra fields, mixed with valid input so that much
 * of it is stored. No answer may be a 5xx, and afterwards `govledger verify`
 * must find every hash, chain and checkpoint intact.
 */

/** A value written into the JSON text as is, not as a string: what JSON.stringify cannot produce. */
const RAW = (text: string) => `@@RAW@@${text}@@END@@`;
const toJsonText = (value: unknown) =>
  JSON.stringify(value).replace(/"@@RAW@@(.*?)@@END@@"/g, (_, text: string) => text);

const rawJson = fc
  .oneof(
    fc.constantFrom('1e400', '-1e400', '1e-400', '123456789012345678901234567890', '9007199254740993', '-0'),
    fc.integer({ min: 1, max: 28 }).map((depth) => `${'['.repeat(depth)}1${']'.repeat(depth)}`),
  )
  .map(RAW);
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({
    unit: fc.constantFrom(
      '\ud800',
      '\udfff',
      '\u0000',
      '\u0007',
      '\u001b',
      '\u007f',
      '\t',
      '\n',
      'a',
      'é',
      '😀',
      '"',
      '\\',
      '/',
      '?',
    ),
    maxLength: 12,
  }),
  fc.constantFrom(
    '',
    ' ',
    'Patient/123',
    'https://ehr.example/fhir/Patient/1',
    'Observation?subject=1',
    'x'.repeat(5000),
  ),
);
/** Anything at all in place of a field: bad text, a wrong type, a number or nesting JSON cannot carry. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: rawJson },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
);
/** Mostly the plausible value, sometimes anything. */
const mostly = <T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 12, arbitrary: plausible }, { weight: 1, arbitrary: hostile });
const instant = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const ingestItem = fc.record(
  {
    eventId: mostly(fc.uuid({ version: 4 })),
    type: mostly(fc.constant('DataAccessed')),
    occurredAt: mostly(instant),
    data: mostly(
      fc
        .record(
          {
            actor: mostly(fc.constantFrom('dr.ada', 'nurse.kim', 'svc.batch')),
            datasetId: mostly(fc.constantFrom('icu', 'ed-2024')),
            resource: mostly(
              fc.constantFrom('Observation', 'Observation/1', 'https://reports.example/r/1.pdf'),
            ),
            patientId: mostly(fc.string({ minLength: 1, maxLength: 16 })),
            action: mostly(fc.constantFrom('C', 'R', 'U', 'D', 'E')),
            purposeOfUse: mostly(fc.constantFrom('TREAT', 'HOPERAT')),
            outcome: mostly(fc.constantFrom('success', 'denied', 'error')),
          },
          { requiredKeys: ['actor', 'datasetId', 'action', 'purposeOfUse', 'outcome'] },
        )
        // Now and then a field the schema does not have, holding anything.
        .chain((data) =>
          fc
            .oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostile })
            .map((extra) => (extra === undefined ? data : { ...data, extra })),
        ),
    ),
    correlationId: mostly(fc.constantFrom('corr-1', 'corr-2')),
    purposeOfUse: mostly(fc.constant('TREAT')),
  },
  { requiredKeys: ['eventId', 'type', 'occurredAt', 'data'] },
);

const coding = (codes: string[]) => mostly(fc.record({ code: mostly(fc.constantFrom(...codes)) }));
const auditEvent = fc.record(
  {
    resourceType: mostly(fc.constant('AuditEvent')),
    id: mostly(fc.uuid({ version: 4 })),
    type: coding(['rest', '110110']),
    action: mostly(fc.constantFrom('C', 'R', 'U', 'D', 'E')),
    recorded: mostly(instant),
    outcome: mostly(fc.constantFrom('0', '4', '8', '12')),
    purposeOfEvent: mostly(fc.array(fc.record({ coding: fc.array(coding(['TREAT']), { maxLength: 2 }) }))),
    agent: mostly(
      fc.array(
        fc.record({
          who: mostly(
            fc.oneof(
              fc.record({
                identifier: mostly(fc.record({ value: mostly(fc.constantFrom('dr.ada', 'dr.bob')) })),
              }),
              fc.record({ reference: mostly(fc.constantFrom('Practitioner/1', 'Patient/1')) }),
            ),
          ),
          requestor: mostly(fc.boolean()),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    ),
    source: mostly(fc.record({ observer: mostly(fc.record({ display: mostly(fc.constant('ehr')) })) })),
    entity: mostly(
      fc.array(
        fc.record({
          what: mostly(
            fc.record({ reference: mostly(fc.constantFrom('Patient/1', 'Observation/2', 'Encounter/3')) }),
          ),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    ),
  },
  { requiredKeys: ['resourceType'] },
);
const fhirBody = fc.oneof(
  { weight: 3, arbitrary: auditEvent },
  {
    weight: 1,
    arbitrary: fc.record({
      resourceType: fc.constant('Bundle'),
      type: mostly(fc.constantFrom('batch', 'transaction')),
      entry: mostly(fc.array(fc.record({ resource: auditEvent }), { minLength: 1, maxLength: 10 })),
    }),
  },
);

/** Plausible values by scalar, so that some mutations get through to the deciders and store events. */
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  ID: fc.constantFrom('fz-1', 'fz-2', 'v1', 'v2', 'icu', 'dr.ada', 'admin.grace', 'a-1'),
  String: fc.constantFrom(
    'fz-1',
    'v1',
    'icu',
    'dr.ada',
    'TREAT',
    'model-training',
    'P7D',
    'auroc',
    'some text',
  ),
  Int: fc.integer({ min: 0, max: 100 }),
  Float: fc.double({ min: 0, max: 1, noNaN: true }),
  Boolean: fc.boolean(),
  DateTime: instant,
  Position: fc.integer({ min: 0, max: 100 }).map(String),
};

function inputArbitrary(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return inputArbitrary(type.ofType, depth);
  if (isListType(type))
    return mostly(fc.array(inputArbitrary(type.ofType, depth + 1), { maxLength: depth > 2 ? 1 : 3 }));
  if (isEnumType(type)) return mostly(fc.constantFrom(...type.getValues().map((v) => v.name)));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return mostly(
      fc.record(Object.fromEntries(fields.map((f) => [f.name, inputArbitrary(f.type, depth + 1)])), {
        requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
      }),
    );
  }
  return mostly(PLAUSIBLE[getNamedType(type).name] ?? fc.string());
}

/** The contract the service serves, read from its SDL: every mutation in it is fuzzed, new ones included. */
const SDL_DIR = join(REPO_ROOT, 'schema/graphql');
const SCHEMA = buildSchema(
  readdirSync(SDL_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => readFileSync(join(SDL_DIR, f), 'utf8'))
    .join('\n'),
);

const GRAPHQL_INPUTS_PER_STORE = 2080;
const INGEST_REQUESTS = 100;
const ITEMS_PER_REQUEST = 100;
const FHIR_REQUESTS = 300;

describe.each<StoreKind>(['sqlite', 'postgres'])('fuzzing every write route on %s (fast-check)', (kind) => {
  let api: TestApi;
  let inputs = 0;
  const fiveHundreds: string[] = [];
  beforeAll(async () => {
    api = await startTestApi(kind, {
      LEDGER_RATE_LIMIT_PER_MINUTE: '1000000',
      LEDGER_CHECKPOINT_EVERY_MS: '100',
    });
    // A registered system, so that some mutations and exports reach their deciders and the bundle writer.
    await registerSystem(api, 'fz-1');
  }, 60_000);
  afterAll(async () => {
    await api.close();
  });

  const tokens = new Map<Role, Promise<string>>();
  const send = async (path: string, role: Role, body: string, contentType = 'application/json') => {
    if (!tokens.has(role)) tokens.set(role, api.token(`fuzz.${role}`, role, { ttlSeconds: 3600 }));
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${await tokens.get(role)}` },
      body,
    });
    const text = await response.text();
    if (response.status >= 500)
      fiveHundreds.push(`${path} ${response.status} ${text} <- ${body.slice(0, 500)}`);
    return { status: response.status, text };
  };

  it(`POST /v1/events: ${INGEST_REQUESTS * ITEMS_PER_REQUEST} generated items answer item by item, never a 5xx`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(ingestItem, { minLength: ITEMS_PER_REQUEST, maxLength: ITEMS_PER_REQUEST }),
        // Now and then one item nests past LEDGER_INPUT_MAX_DEPTH, and the whole body is refused.
        fc.option(fc.constantFrom(40, 5000), { freq: 10 }),
        async (generated, tooDeep) => {
          const items = tooDeep
            ? [
                ...generated.slice(1),
                { ...generated[0], data: RAW(`${'['.repeat(tooDeep)}${']'.repeat(tooDeep)}`) },
              ]
            : generated;
          inputs += items.length;
          const { status, text } = await send('/v1/events', 'emitter', toJsonText({ events: items }));
          expect(status).toBeLessThan(500);
          const answer = JSON.parse(text);
          if (status !== 200) return expect(answer.error.message.length).toBeGreaterThan(0);
          expect(answer.results).toHaveLength(items.length);
          for (const result of answer.results)
            if (result.status === 'rejected') expect(typeof result.error.field).toBe('string');
          accepted += answer.accepted;
        },
      ),
      { numRuns: INGEST_REQUESTS, endOnFailure: true },
    );
    expect(accepted).toBeGreaterThan(0);
  }, 300_000);

  it(`POST /fhir/AuditEvent: ${FHIR_REQUESTS} generated resources and bundles, never a 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(fhirBody, async (body) => {
        inputs += Array.isArray((body as { entry?: unknown }).entry)
          ? (body as { entry: [] }).entry.length
          : 1;
        const { status } = await send(
          '/fhir/AuditEvent',
          'emitter',
          toJsonText(body),
          'application/fhir+json',
        );
        expect(status).toBeLessThan(500);
      }),
      { numRuns: FHIR_REQUESTS, endOnFailure: true },
    );
  }, 300_000);

  it(`every GraphQL mutation, exportEvidenceBundle included: ${GRAPHQL_INPUTS_PER_STORE} generated inputs, never a 5xx`, async () => {
    const mutations = Object.values(SCHEMA.getMutationType()!.getFields());
    expect(mutations.map((m) => m.name)).toEqual(
      expect.arrayContaining(['registerAiSystem', 'exportEvidenceBundle']),
    );
    for (const mutation of mutations) {
      const role = ROLES.find((r) => allows(GRAPHQL_POLICY[mutation.name], r))!;
      const args: readonly GraphQLArgument[] = mutation.args;
      const document = `mutation(${args.map((a) => `$${a.name}: ${a.type}`).join(', ')}) { ${mutation.name}(${args
        .map((a) => `${a.name}: $${a.name}`)
        .join(', ')}) { __typename } }`;
      const variables = fc.record(Object.fromEntries(args.map((a) => [a.name, inputArbitrary(a.type)])), {
        requiredKeys: args.filter((a) => isNonNullType(a.type)).map((a) => a.name),
      });
      // A few at once, as clients send them; exports one by one, since only two are made at a time by design.
      const parallel = mutation.name === 'exportEvidenceBundle' ? 1 : 4;
      await fc.assert(
        fc.asyncProperty(fc.array(variables, { minLength: parallel, maxLength: parallel }), async (batch) => {
          inputs += batch.length;
          const answers = await Promise.all(
            batch.map((values) => send('/graphql', role, toJsonText({ query: document, variables: values }))),
          );
          for (const { status, text } of answers) {
            expect(status).toBeLessThan(500);
            for (const error of JSON.parse(text).errors ?? []) {
              expect(error.message.length).toBeGreaterThan(0);
              expect(error.extensions?.code).not.toBe('INTERNAL');
            }
          }
        }),
        { numRuns: Math.ceil(GRAPHQL_INPUTS_PER_STORE / mutations.length / parallel), endOnFailure: true },
      );
    }
  }, 300_000);

  it('answered no input with a 5xx, took at least 10,000 inputs, and `govledger verify` passes afterwards', async () => {
    expect(fiveHundreds).toEqual([]);
    expect(inputs).toBeGreaterThanOrEqual(10_000);
    expect(BigInt(await api.store.headPosition())).toBeGreaterThan(200n);
    const child = spawnTs('apps/govledger-cli/src/main.ts', ['verify'], {
      LEDGER_DATA_DIR: api.dataDir,
      LEDGER_STORE: kind,
      ...(api.databaseUrl ? { DATABASE_URL: api.databaseUrl } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const { code } = await exited(child);
    expect({ code, stdout, stderr: code === 0 ? '' : stderr }).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^OK: \d+ events/),
      stderr: '',
    });
  }, 120_000);
});
