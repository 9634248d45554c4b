import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLModule } from '@nestjs/graphql';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  type ValidationContext,
  type ASTVisitor,
} from 'graphql';
import mercurius from 'mercurius';
import { join } from 'node:path';
import { LedgerConfig, repoRoot } from '@ledger/runtime';
import { logFailure, ProblemError, toProblem } from '../errors/problem';
import type { GraphqlContext } from './graphql-context';
import { dateTimeScalar, PositionScalar } from './scalars';

/** GraphQL enum names cannot hold a hyphen; these map them to the domain's stored values. */
const ENUM_VALUES = {
  Supplier: { in_house: 'in-house', vendor: 'vendor' },
  DatasetClassification: { PHI: 'PHI', de_identified: 'de-identified', synthetic: 'synthetic' },
};

type Execution = Parameters<NonNullable<MercuriusDriverConfig['errorFormatter']>>[0];

/** Every resolver error becomes `{ message, extensions: { code, field, details } }` through the one mapping in toProblem. */
function formatErrors(execution: Execution, ctx: GraphqlContext) {
  const errors = execution.errors.map((error) => {
    const original = error.originalError as (Error & { errors?: unknown }) | undefined;
    // Errors in the query itself (syntax, unknown field, bad variable) already name what is wrong.
    if (!original || Array.isArray(original.errors) || original instanceof GraphQLError) return error;
    const problem = toProblem(original);
    logFailure(ctx.reply.log, problem, original);
    return new GraphQLError(problem.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: {
        code: problem.code,
        status: problem.status,
        ...(problem.field ? { field: problem.field } : {}),
        ...(problem.details ? { details: problem.details } : {}),
      },
    });
  });
  return mercurius.defaultErrorFormatter({ ...execution, errors }, ctx as never);
}

/** Nesting deeper than any query in the schema needs is refused, as is a query that selects too many fields. */
export const MAX_QUERY_DEPTH = 8;
export const MAX_QUERY_FIELDS = 400;

/** A cost limit: every selected field costs one, fragments included, so a small document cannot ask for everything. */
function maxFields(context: ValidationContext): ASTVisitor {
  let fields = 0;
  return {
    Field() {
      fields++;
      if (fields === MAX_QUERY_FIELDS + 1)
        context.reportError(
          new GraphQLError(
            `the query selects more than ${MAX_QUERY_FIELDS} fields; ask for fewer fields or split it`,
            { extensions: { code: 'QUERY_TOO_COSTLY' } },
          ),
        );
    },
  };
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
        path: '/graphql',
        queryDepth: MAX_QUERY_DEPTH,
        // The schema is the SDL in the repository; in production it is not also handed to whoever asks.
        validationRules:
          config.NODE_ENV === 'production' ? [maxFields, NoSchemaIntrospectionCustomRule] : [maxFields],
        context: (request: GraphqlContext['request'], reply: GraphqlContext['reply']) => ({ request, reply }),
        errorFormatter: formatErrors as MercuriusDriverConfig['errorFormatter'],
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
