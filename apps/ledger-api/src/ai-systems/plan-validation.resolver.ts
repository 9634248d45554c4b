import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsNumber, Length, Matches, ValidateNested } from 'class-validator';
import { THRESHOLD_DIRECTIONS, type ThresholdDirection } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class PlannedMetricInput {
  @Length(1, 200) name!: string;
  @IsNumber() threshold!: number;
  @IsIn(THRESHOLD_DIRECTIONS) direction!: ThresholdDirection;
}

export class PlannedSubgroupInput {
  @Length(1, 200) subgroup!: string;
  @ArrayMinSize(1, { message: 'metrics must plan at least one metric for the subgroup' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PlannedMetricInput)
  metrics!: PlannedMetricInput[];
}

export class PlanValidationInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
  @Matches(ID, ID_RULE) datasetId!: string;
  @ArrayMinSize(1, { message: 'metrics must plan at least one metric with its threshold and direction' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PlannedMetricInput)
  metrics!: PlannedMetricInput[];
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => PlannedSubgroupInput)
  subgroups!: PlannedSubgroupInput[];
}

@Resolver()
export class PlanValidationResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  /** The planner is the caller; whether the dataset is registered and approved for validation is read, never taken from them. */
  @Mutation()
  planValidation(
    @Args('input') input: PlanValidationInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, async (meta) => {
      const [dataset] = await this.aiSystems.datasetSnapshots(ctx, [input.datasetId]);
      return { type: 'PlanValidation', ...input, dataset, meta };
    });
  }
}
