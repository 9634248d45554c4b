import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsISO8601, IsNumber, IsOptional, Length, Matches } from 'class-validator';
import {
  aiSystemDecider,
  SIGNAL_KINDS,
  streamNames,
  type GovernancePolicy,
  type SignalKind,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class RecordMonitoringSignalInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @IsIn(SIGNAL_KINDS) kind!: SignalKind;
  @Length(1, 200) metric!: string;
  @IsNumber() value!: number;
  @IsOptional() @Length(1, 200) subgroup?: string;
  @IsISO8601({ strict: true }) observedAt!: string;
}

@Resolver()
export class RecordMonitoringSignalResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  recordMonitoringSignal(
    @Args('input') input: RecordMonitoringSignalInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'RecordMonitoringSignal', ...input, meta }),
    );
  }
}
