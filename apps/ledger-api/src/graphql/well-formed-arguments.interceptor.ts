import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { illFormedInput } from '@ledger/domain';
import type { Observable } from 'rxjs';
import { ProblemError } from '../errors/problem';

/**
 * Every GraphQL field's arguments, as the resolver would receive them (a
 * variable or a literal with its escapes decoded), meet the one input-text
 * rule before validation or a command sees them: a lone surrogate or a NUL in
 * a mutation input or an export recipient is the caller's mistake, refused
 * with VALIDATION_FAILED naming the argument path (`input.name`), never a
 * failure of the store that a retry cannot cure.
 */
@Injectable()
export class WellFormedArgumentsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<'graphql' | 'http'>() === 'graphql') {
      const problem = illFormedInput(GqlExecutionContext.create(context).getArgs());
      if (problem)
        throw new ProblemError({
          status: 400,
          code: 'VALIDATION_FAILED',
          field: problem.field,
          message: problem.message,
        });
    }
    return next.handle();
  }
}
