import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { illFormedInput } from '@ledger/domain';
import { ProblemError } from '../errors/problem';

/**
 * Every GraphQL field's arguments, as the resolver would receive them (a
 * variable or a literal with its escapes decoded), meet the one input-text
 * rule before validation or a command sees them: a lone surrogate or a NUL in
 * a mutation input or an export recipient is the caller's mistake, refused
 * with VALIDATION_FAILED naming the argument path (`input.name`), never a
 * failure of the store that a retry cannot cure.
 *
 * A guard, not an interceptor: a global guard costs an HTTP route one call,
 * while a single global interceptor made Nest wrap every REST request (each
 * ingest request among them) in rxjs Observables, about 3% of the service's
 * thread under single-event ingest.
 */
@Injectable()
export class WellFormedArgumentsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType<'graphql' | 'http'>() !== 'graphql') return true;
    const problem = illFormedInput(GqlExecutionContext.create(context).getArgs());
    if (problem)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: problem.field,
        message: problem.message,
      });
    return true;
  }
}
