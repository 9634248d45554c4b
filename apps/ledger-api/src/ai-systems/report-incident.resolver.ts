import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsISO8601, IsOptional, Length, Matches } from 'class-validator';
import {
  aiSystemDecider,
  INCIDENT_SEVERITIES,
  streamNames,
  type GovernancePolicy,
  type IncidentSeverity,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class ReportIncidentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @IsIn(INCIDENT_SEVERITIES) severity!: IncidentSeverity;
  @Length(1, 4000) description!: string;
  @IsBoolean() patientHarmed!: boolean;
  @IsISO8601({ strict: true }) awareAt!: string;
  @IsOptional() @Length(1, 100) version?: string;
}

@Resolver()
export class ReportIncidentResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  reportIncident(
    @Args('input') input: ReportIncidentInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'ReportIncident', ...input, meta }),
    );
  }
}
