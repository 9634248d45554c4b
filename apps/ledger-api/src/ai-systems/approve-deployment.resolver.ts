import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, Length, Matches } from 'class-validator';
import {
  aiSystemDecider,
  REVIEW_DISCIPLINES,
  streamNames,
  type GovernancePolicy,
  type ReviewDiscipline,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class ApproveDeploymentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
  @IsIn(REVIEW_DISCIPLINES) discipline!: ReviewDiscipline;
}

@Resolver()
export class ApproveDeploymentResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  approveDeployment(
    @Args('input') input: ApproveDeploymentInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'ApproveDeployment', ...input, meta }),
    );
  }
}
