import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLModule } from '@nestjs/graphql';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import mercurius from 'mercurius';
import { join } from 'node:path';
import { repoRoot } from '@ledger/platform';
import { LedgerConfig } from '@ledger/runtime';
import { logFailure, ProblemError, toProblem, type Problem } from '../errors/problem';
import { DEFAULT_PAGE, MAX_PAGE } from '../queries/query-context';
import type { GraphqlContext } from './graphql-context';
import { measureOperation, type OperationMeasure } from './query-cost';
import { dateTimeScalar, PositionScalar } from './scalars';

/** GraphQL enum names cannot hold a hyphen; these map them to the domain's stored values. */
const ENUM_VALUES = {
  Supplier: { in_house: 'in-house', vendor: 'vendor' },
  DatasetClassification: { PHI: 'PHI', de_identified: 'de-identified', synthetic: 'synthetic' },
};

type Execution = Parameters<NonNullable<MercuriusDriverConfig['errorFormatter']>>[0];

/**
 * Every resolver error becomes `{ message, extensions: { code, field, details } }` through the one mapping in
 * toProblem. An error before execution (body too large, query too costly) answers with its own HTTP status:
 * no part of the query ran, so there is no partial data for a 200 to carry.
 */
const formatErrors = (config: LedgerConfig) => (execution: Execution, ctx: GraphqlContext) => {
  const errors = execution.errors.map((error) => {
    const original = error.originalError as (Error & { errors?: unknown }) | undefined;
    // Mercurius wraps errors in the document (syntax, unknown field) in one error with the list inside.
    if (original && Array.isArray(original.errors) && original.errors.some(isTokenLimit))
      return refusal(tooManyTokens(config));
    // Errors in the query itself (syntax, unknown field, bad variable) already name what is wrong.
    if (!original || Array.isArray(original.errors) || original instanceof GraphQLError) return error;
    const problem = toProblem(original);
    logFailure(ctx.reply.log, problem, original);
    if (problem.status === 413) return refusal(bodyTooLarge(config));
    return error.path === undefined
      ? refusal(problem)
      : new GraphQLError(problem.message, {
          nodes: error.nodes,
          path: error.path,
          extensions: extensionsOf(problem),
        });
  });
  // Mercurius's formatter also logs each error with its stack at info; logFailure has logged them already.
  return mercurius.defaultErrorFormatter({ ...execution, errors }, { reply: { log: UNLOGGED } } as never);
};

const UNLOGGED = { info: () => undefined };

const extensionsOf = (problem: Problem) => ({
  code: problem.code,
  status: problem.status,
  ...(problem.field ? { field: problem.field } : {}),
  ...(problem.details ? { details: problem.details } : {}),
});

/** mercurius answers a lone error with its original's statusCode. */
const refusal = (problem: Problem) =>
  new GraphQLError(problem.message, {
    originalError: Object.assign(new Error(problem.message), { statusCode: problem.status }),
    extensions: extensionsOf(problem),
  });

/** graphql-js stops parsing at maxTokens with this one message (mercurius matches it the same way). */
const isTokenLimit = (error: unknown) =>
  error instanceof Error &&
  /^Syntax Error: Document contains more that \d+ tokens\. Parsing aborted\.$/.test(error.message);

const tooManyTokens = (config: LedgerConfig): Problem => ({
  status: 400,
  code: 'QUERY_TOO_LARGE',
  field: 'query',
  message: `the query has more than ${config.LEDGER_GRAPHQL_MAX_TOKENS} tokens (LEDGER_GRAPHQL_MAX_TOKENS); ask for fewer fields or split it`,
});

/** Fastify's own words name neither the limit nor how to change it. */
const bodyTooLarge = (config: LedgerConfig): Problem => ({
  status: 413,
  code: 'PAYLOAD_TOO_LARGE',
  field: 'body',
  message: `the request body is larger than ${config.LEDGER_GRAPHQL_MAX_BODY_BYTES} bytes, the limit on /graphql (LEDGER_GRAPHQL_MAX_BODY_BYTES); send a smaller query, or fewer or smaller variables`,
});

/** Nesting deeper than any query in the schema needs is refused. */
export const MAX_QUERY_DEPTH = 8;

/**
 * Fields whose answer is much more work than reading a stored value, weighed
 * against the 1 every other field costs (measured by `npm run bench -- --only abuse`).
 */
export const COST_WEIGHTS: Readonly<Record<string, number>> = {
  // Reads the checkpoint, the leaf and its audit path, then hashes the path up to the signed root.
  'LedgerEvent.inclusionProof': 50,
  'Query.consistencyProof': 50,
  // Reads every computed signal of a system in the window asked for.
  'AiSystem.performance': 10,
  // Evaluates every compliance rule over the tenant's read models.
  'Query.complianceFindings': 100,
  // Reads every event of the tenant from the timeline index.
  'Query.retention': 1000,
  // Proves and writes every event of a system into a bundle.
  'Mutation.exportEvidenceBundle': 1000,
};

/**
 * Measures kept per document, and the longest operation name and variables
 * (as JSON) kept: with LEDGER_GRAPHQL_CACHE_ENTRIES documents that is at most
 * entries × 16 × 1 kB, whatever bodies callers send; longer ones are measured every time.
 */
const MEASURES_PER_DOCUMENT = 16;
const LONGEST_KEPT_KEY = 1024;

/**
 * Refuses, before anything runs, an operation that would cost more than the
 * limit or that carries an over-long list. It decides for every request; the
 * measure is kept per document (Mercurius hands back the same parsed document
 * for the same source text), operation name and variables, since the cost
 * depends on all three (`first: $n`). Dashboards repeat the same few, and
 * measuring again was about 2% of a request's CPU.
 */
function limitOperation(config: LedgerConfig) {
  const model = {
    weights: COST_WEIGHTS,
    defaultPage: DEFAULT_PAGE,
    maxPage: MAX_PAGE,
    maxListItems: config.LEDGER_GRAPHQL_MAX_LIST_ITEMS,
  };
  // Weakly held: a document dropped from Mercurius's cache takes its measures with it.
  const measures = new WeakMap<DocumentNode, Map<string, OperationMeasure | undefined>>();
  return async (
    schema: GraphQLSchema,
    document: DocumentNode,
    ctx: GraphqlContext,
    variables: Record<string, unknown> | undefined,
  ) => {
    const operationName = operationNameOf(ctx.request);
    let kept = measures.get(document);
    if (!kept) measures.set(document, (kept = new Map()));
    const key = JSON.stringify([operationName ?? null, variables ?? null]);
    let measure = kept.get(key);
    if (!kept.has(key)) {
      measure = measureOperation(schema, document, { operationName, variables }, model);
      if (kept.size >= MEASURES_PER_DOCUMENT) kept.clear();
      if (key.length <= LONGEST_KEPT_KEY) kept.set(key, measure);
    }
    if (!measure) return;
    const [list] = measure.oversizedLists;
    if (list)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: list.argument,
        message: `${list.argument} holds ${list.items} items; a list argument holds at most ${model.maxListItems} (LEDGER_GRAPHQL_MAX_LIST_ITEMS)`,
      });
    if (measure.cost > config.LEDGER_GRAPHQL_MAX_COST)
      throw new ProblemError({
        status: 400,
        code: 'QUERY_TOO_COSTLY',
        field: 'query',
        details: { cost: measure.cost, limit: config.LEDGER_GRAPHQL_MAX_COST },
        message: `the query would cost ${measure.cost}, above the limit of ${config.LEDGER_GRAPHQL_MAX_COST} (LEDGER_GRAPHQL_MAX_COST): every field costs 1, a page multiplies its fields by first (${DEFAULT_PAGE} when left out), an inclusion proof costs ${COST_WEIGHTS['LedgerEvent.inclusionProof']}; ask for smaller pages or fewer fields, or split the query`,
      });
  };
}

function operationNameOf(request: GraphqlContext['request']): string | undefined {
  const from = (request.method === 'GET' ? request.query : request.body) as {
    operationName?: unknown;
  } | null;
  return typeof from?.operationName === 'string' ? from.operationName : undefined;
}

@Module({
  imports: [
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      inject: [LedgerConfig],
      useFactory: (config: LedgerConfig) => ({
        typePaths: [join(repoRoot(), 'schema/graphql/*.graphql')],
        graphiql: false,
        // A query seen before runs compiled (graphql-jit): auditors and dashboards repeat the same few
        // documents, and interpreting their selections was the largest share of a page's CPU.
        jit: 1,
        // Parsed documents, their compiled form, and refused documents are kept by source text, in two LRUs
        // of this many entries each. An entry is bounded by the body and token limits, and kept without
        // token locations (which would hold every token, comments included), so the caches are bounded in bytes too.
        cache: config.LEDGER_GRAPHQL_CACHE_ENTRIES,
        graphql: { parseOptions: { maxTokens: config.LEDGER_GRAPHQL_MAX_TOKENS, noLocation: true } },
        path: '/graphql',
        // Only /graphql: ingest batches need the larger limit set for the whole server.
        additionalRouteOptions: { bodyLimit: config.LEDGER_GRAPHQL_MAX_BODY_BYTES },
        queryDepth: MAX_QUERY_DEPTH,
        // The schema is the SDL in the repository; in production it is not also handed to whoever asks.
        validationRules: config.NODE_ENV === 'production' ? [NoSchemaIntrospectionCustomRule] : [],
        hooks: { preExecution: limitOperation(config) as never },
        context: (request: GraphqlContext['request'], reply: GraphqlContext['reply']) => ({ request, reply }),
        errorFormatter: formatErrors(config) as MercuriusDriverConfig['errorFormatter'],
        resolvers: { DateTime: dateTimeScalar(config), Position: PositionScalar, ...ENUM_VALUES },
      }),
    }),
  ],
})
export class LedgerGraphqlModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** GraphQL-over-HTTP requires a string document; anything else is the caller's mistake, named as such, not a crash inside the validator. */
  onModuleInit(): void {
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('preHandler', async (request) => {
      if (request.routeOptions.url !== '/graphql' || request.method !== 'POST') return;
      const body = request.body as { query?: unknown; variables?: unknown; operationName?: unknown } | null;
      const wrong = (field: string, rule: string) =>
        new ProblemError({ status: 400, code: 'VALIDATION_FAILED', field, message: `${field} ${rule}` });
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw wrong('body', 'must be a JSON object {"query": "...", "variables": {...}}');
      // Every executable document has a selection set; mercurius crashes on some strings without one instead of reporting a syntax error.
      if (typeof body.query !== 'string' || !body.query.includes('{'))
        throw wrong('query', 'must be a GraphQL document as a string, e.g. "{ ledger { store } }"');
      if (
        body.variables !== undefined &&
        body.variables !== null &&
        (typeof body.variables !== 'object' || Array.isArray(body.variables))
      )
        throw wrong('variables', 'must be a JSON object');
      if (
        body.operationName !== undefined &&
        body.operationName !== null &&
        typeof body.operationName !== 'string'
      )
        throw wrong('operationName', 'must be a string');
    });
  }
}
