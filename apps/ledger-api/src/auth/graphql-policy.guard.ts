import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { allows, GRAPHQL_POLICY } from '@ledger/auth';
import { ProblemError } from '../errors/problem';
import type { GraphqlContext } from '../graphql/graphql-context';
import { callerFrom } from '../request-context/caller';
import { SelfAuditService } from './self-audit.service';

/** Each root GraphQL field is an operation of the policy table; roles it does not list are refused. */
@Injectable()
export class GraphqlPolicyGuard implements CanActivate {
  constructor(private readonly audit: SelfAuditService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<'graphql' | 'http'>() !== 'graphql') return true;
    const gql = GqlExecutionContext.create(context);
    const field = gql.getInfo<{ fieldName: string }>().fieldName;
    const caller = callerFrom(gql.getContext<GraphqlContext>().request);
    const access = GRAPHQL_POLICY[field];
    if (allows(access, caller.role)) return true;
    const reason = `role ${caller.role} may not call ${field}${access && access !== 'public' ? `; it needs ${access.join(' or ')}` : ''}`;
    this.audit.accessDenied({ caller, operation: `graphql ${field}`, reason, status: 403 });
    throw new ProblemError({ status: 403, code: 'FORBIDDEN', field, message: reason });
  }
}
