import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLModule } from '@nestjs/graphql';
import { Module } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import mercurius from 'mercurius';
import { join } from 'node:path';
import { repoRoot } from '../config/repo-root';
import { toProblem } from '../errors/problem';
import type { GraphqlContext } from './graphql-context';
import { DateTimeScalar, PositionScalar } from './scalars';

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
    if (problem.status >= 500) ctx.reply.log.error({ err: original }, 'resolver failed');
    return new GraphQLError(problem.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: { code: problem.code, status: problem.status, ...(problem.field ? { field: problem.field } : {}), ...(problem.details ? { details: problem.details } : {}) },
    });
  });
  return mercurius.defaultErrorFormatter({ ...execution, errors }, ctx as never);
}

@Module({
  imports: [
    GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      typePaths: [join(repoRoot(), 'schema/graphql/*.graphql')],
      graphiql: false,
      path: '/graphql',
      context: (request: GraphqlContext['request'], reply: GraphqlContext['reply']) => ({ request, reply }),
      errorFormatter: formatErrors as MercuriusDriverConfig['errorFormatter'],
      resolvers: { DateTime: DateTimeScalar, Position: PositionScalar, ...ENUM_VALUES },
    }),
  ],
})
export class LedgerGraphqlModule {}
