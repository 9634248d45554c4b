import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  SUBGROUP_DIMENSIONS,
  THRESHOLD_DIRECTIONS,
  type SubgroupDimension,
  type ThresholdDirection,
} from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

/** The shape of a computation; whether it fits the metric and cadence is the decider's rule. */
export class MonitoringComputationInput {
  @Matches(ISO_DURATION, ISO_DURATION_RULE) window!: string;
  @IsInt() @Min(1) @Max(1_000_000) minSamples!: number;
  @IsOptional() @Length(1, 200) positiveLabel?: string;
  @IsOptional() @Matches(ISO_DURATION, ISO_DURATION_RULE) settle?: string;
  @IsOptional()
  @ArrayMaxSize(SUBGROUP_DIMENSIONS.length)
  @IsIn(SUBGROUP_DIMENSIONS, { each: true })
  subgroups?: SubgroupDimension[];
}

export class PlanMonitoringInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 200) metric!: string;
  @IsNumber() threshold!: number;
  @IsIn(THRESHOLD_DIRECTIONS) direction!: ThresholdDirection;
  @Matches(ISO_DURATION, ISO_DURATION_RULE) cadence!: string;
  @IsOptional()
  @ValidateNested()
  @Type(() => MonitoringComputationInput)
  computation?: MonitoringComputationInput;
}

@Resolver()
export class PlanMonitoringResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  planMonitoring(
    @Args('input') input: PlanMonitoringInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    const { computation, ...plan } = input;
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'PlanMonitoring',
      ...plan,
      // GraphQL hands an optional field left out as null or absent; the command carries only what was given.
      ...(computation ? { computation: withoutNulls(computation) } : {}),
      meta,
    }));
  }
}

function withoutNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}
