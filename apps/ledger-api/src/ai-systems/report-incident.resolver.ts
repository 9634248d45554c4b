import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsISO8601, IsOptional, Length, Matches } from 'class-validator';
import {
  INCIDENT_CLASSIFICATIONS,
  INCIDENT_SEVERITIES,
  type IncidentClassification,
  type IncidentSeverity,
} from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class ReportIncidentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @IsIn(INCIDENT_CLASSIFICATIONS) classification!: IncidentClassification;
  @IsIn(INCIDENT_SEVERITIES) severity!: IncidentSeverity;
  @Length(1, 4000) description!: string;
  @IsBoolean() patientHarmed!: boolean;
  @IsISO8601({ strict: true }) awareAt!: string;
  @IsOptional() @Length(1, 100) version?: string;
}

@Resolver()
export class ReportIncidentResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  reportIncident(
    @Args('input') input: ReportIncidentInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({ type: 'ReportIncident', ...input, meta }));
  }
}
