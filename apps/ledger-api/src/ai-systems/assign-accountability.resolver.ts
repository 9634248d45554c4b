import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsISO8601, Length, Matches } from 'class-validator';
import {
  ACCOUNTABILITY_ROLES,
  aiSystemDecider,
  streamNames,
  type AccountabilityRole,
  type GovernancePolicy,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class AssignAccountabilityInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) assignmentId!: string;
  @IsIn(ACCOUNTABILITY_ROLES) role!: AccountabilityRole;
  @Length(1, 256) assignee!: string;
  @IsISO8601({ strict: true }) effectiveFrom!: string;
}

@Resolver()
export class AssignAccountabilityResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  assignAccountability(
    @Args('input') input: AssignAccountabilityInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'AssignAccountability', ...input, meta }),
    );
  }
}
