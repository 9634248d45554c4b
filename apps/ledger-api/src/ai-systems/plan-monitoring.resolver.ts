import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsNumber, Length, Matches } from 'class-validator';
import { THRESHOLD_DIRECTIONS, type ThresholdDirection } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class PlanMonitoringInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 200) metric!: string;
  @IsNumber() threshold!: number;
  @IsIn(THRESHOLD_DIRECTIONS) direction!: ThresholdDirection;
  @Matches(ISO_DURATION, ISO_DURATION_RULE) cadence!: string;
}

@Resolver()
export class PlanMonitoringResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  planMonitoring(
    @Args('input') input: PlanMonitoringInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({ type: 'PlanMonitoring', ...input, meta }));
  }
}
