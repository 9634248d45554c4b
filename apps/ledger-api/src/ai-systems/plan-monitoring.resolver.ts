import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsNumber, Length, Matches } from 'class-validator';
import {
  aiSystemDecider,
  streamNames,
  THRESHOLD_DIRECTIONS,
  type GovernancePolicy,
  type ThresholdDirection,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class PlanMonitoringInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 200) metric!: string;
  @IsNumber() threshold!: number;
  @IsIn(THRESHOLD_DIRECTIONS) direction!: ThresholdDirection;
  @Matches(ISO_DURATION, ISO_DURATION_RULE) cadence!: string;
}

@Resolver()
export class PlanMonitoringResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  planMonitoring(
    @Args('input') input: PlanMonitoringInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'PlanMonitoring', ...input, meta }),
    );
  }
}
