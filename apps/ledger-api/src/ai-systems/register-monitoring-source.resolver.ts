import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { aiSystemDecider, streamNames, type GovernancePolicy } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class RegisterMonitoringSourceInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 256, { message: 'serviceId must be the token subject the monitoring service authenticates as' })
  serviceId!: string;
}

@Resolver()
export class RegisterMonitoringSourceResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  registerMonitoringSource(
    @Args('input') input: RegisterMonitoringSourceInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'RegisterMonitoringSource', ...input, meta }),
    );
  }
}
