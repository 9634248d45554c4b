import { GRAPHQL_POLICY, HTTP_POLICY, ROLES, allows, type Role } from '@ledger/auth';
import { collect } from '../support/events';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/child-process';
import { startTestApi, type TestApi } from '../support/ledger-api';
import { forgedTokens } from '../support/tokens';

const SDL = readdirSync(join(REPO_ROOT, 'schema/graphql'))
  .filter((f) => f.endsWith('.graphql'))
  .map((f) => readFileSync(join(REPO_ROOT, 'schema/graphql', f), 'utf8'))
  .join('\n');
const schema = buildSchema(SDL);
const rootFields = [
  ...Object.values(schema.getQueryType()!.getFields()),
  ...Object.values(schema.getMutationType()!.getFields()),
];

/** A literal of the right type for every required argument, so each operation passes GraphQL validation and reaches the policy. */
function literal(type: GraphQLInputType): string {
  if (isNonNullType(type)) return literal(type.ofType);
  if (isListType(type)) return `[${literal(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type))
    return `{ ${Object.values(type.getFields())
      .filter((f) => isNonNullType(f.type))
      .map((f) => `${f.name}: ${literal(f.type)}`)
      .join(', ')} }`;
  if (isScalarType(type))
    return (
      (
        {
          Int: '1',
          Float: '1.5',
          Boolean: 'true',
          DateTime: '"2026-01-01T00:00:00Z"',
          Position: '"1"',
        } as Record<string, string>
      )[type.name] ?? '"probe"'
    );
  throw new Error(`no literal for ${String(type)}`);
}

function documentFor(field: GraphQLField<unknown, unknown>): string {
  const operation = schema.getMutationType()!.getFields()[field.name] === field ? 'mutation' : 'query';
  const args = field.args.filter((a) => isNonNullType(a.type)).map((a) => `${a.name}: ${literal(a.type)}`);
  let type = field.type;
  while (isNonNullType(type) || isListType(type)) type = type.ofType;
  const selection = isObjectType(type) ? ' { __typename }' : '';
  return `${operation} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`;
}

describe('authorization matrix, generated from the policy table', () => {
  let api: TestApi;
  let forged: Record<string, string>;
  const tokens = new Map<Role, string>();
  beforeAll(async () => {
    api = await startTestApi('sqlite');
    for (const role of ROLES)
      tokens.set(
        role,
        await api.token(`probe.${role}`, role, role === 'regulator' ? { systems: ['probe'] } : {}),
      );
    forged = await forgedTokens(api.dataDir);
  });
  afterAll(() => api.close());

  it('has a policy for every GraphQL root field and every route served; anything added without one fails here', () => {
    expect(rootFields.map((f) => f.name).filter((name) => GRAPHQL_POLICY[name] === undefined)).toEqual([]);
    expect(Object.keys(GRAPHQL_POLICY).filter((name) => !rootFields.some((f) => f.name === name))).toEqual(
      [],
    );
    // Routes are checked as they are registered: the service refuses to start with one the table lacks.
    for (const route of ['GET /health/live', 'POST /v1/events', 'GET /v1/proofs/inclusion'])
      expect(api.fastify.hasRoute({ method: route.split(' ')[0] as 'GET', url: route.split(' ')[1] })).toBe(
        true,
      );
  });

  it('refuses to start a service with a route the policy table does not list', async () => {
    const { refuseRoutesWithoutPolicy } = await import('../../apps/ledger-api/src/auth/http-auth');
    const fastify = (await import('fastify')).default();
    refuseRoutesWithoutPolicy(fastify);
    expect(() => fastify.get('/v1/unlisted', async () => 'x')).toThrow(
      /GET \/v1\/unlisted has no entry in the policy table/,
    );
    await fastify.close();
  });

  const graphql = (document: string, headers: Record<string, string>) =>
    fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: document }),
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { errors?: Array<{ extensions?: { code?: string } }> },
    }));

  it.each(rootFields.map((f) => [f.name, f] as const))(
    'GraphQL %s: allowed roles pass the policy, every other role and every bad credential is refused',
    async (name, field) => {
      const document = documentFor(field);
      for (const role of ROLES) {
        const { body } = await graphql(document, { authorization: `Bearer ${tokens.get(role)}` });
        const codes = (body.errors ?? []).map((e) => e.extensions?.code);
        const refused = codes.includes('FORBIDDEN') || codes.includes('UNAUTHENTICATED');
        expect({ name, role, refused }).toEqual({ name, role, refused: !allows(GRAPHQL_POLICY[name], role) });
      }
      for (const [credential, token] of Object.entries({ 'no token': undefined, ...forged })) {
        const { status, body } = await graphql(document, token ? { authorization: `Bearer ${token}` } : {});
        expect({ name, credential, status }).toEqual({ name, credential, status: 401 });
        expect(JSON.stringify(body)).not.toContain('"data":{');
      }
    },
  );

  it.each(Object.keys(HTTP_POLICY).filter((route) => route !== 'POST /graphql'))(
    'HTTP %s: allowed roles pass, others get 403, bad credentials 401',
    async (route) => {
      const [method, path] = route.split(' ');
      const call = (token?: string) =>
        fetch(
          `${api.url}${path}${path.includes('inclusion') ? '?eventId=6f1c6d1e-3e0c-4d59-9a51-0d6f3c1c9b10' : ''}`,
          {
            method,
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            ...(method === 'POST' ? { body: JSON.stringify({ events: [] }) } : {}),
          },
        ).then((r) => r.status);
      const access = HTTP_POLICY[route];
      for (const role of ROLES) {
        const status = await call(tokens.get(role));
        expect({ route, role, refused: status === 401 || status === 403 }).toEqual({
          route,
          role,
          refused: !allows(access, role),
        });
      }
      for (const [credential, token] of Object.entries({ 'no token': undefined, ...forged })) {
        const status = await call(token);
        // A public route ignores credentials; every other route refuses bad ones with 401.
        expect({ route, credential, refused: status === 401 || status === 403 }).toEqual({
          route,
          credential,
          refused: access !== 'public',
        });
      }
    },
  );

  it('records every refused request in the ledger, with who and why', async () => {
    await graphql(
      'mutation { registerAiSystem(input: { systemId: "x", name: "x", intendedUse: "x", clinicalDomain: "x", riskClass: low, supplier: in_house, sites: ["a"] }) { stream } }',
      {
        authorization: `Bearer ${tokens.get('auditor')}`,
      },
    );
    await fetch(`${api.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await api.flushSelfAudit();
    const denied = [
      ...(await collect(api.store.readStream('default/ledger-self-audit'))),
      ...(await collect(api.store.readStream('unauthenticated/ledger-self-audit'))),
    ].filter((e) => e.type === 'AccessDenied');
    expect(denied.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principal: 'probe.auditor',
          role: 'auditor',
          operation: 'graphql registerAiSystem',
          status: 403,
        }),
        expect.objectContaining({ operation: 'POST /v1/events', status: 401, address: '127.0.0.1' }),
      ]),
    );
  });
});
