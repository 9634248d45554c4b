import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsNumber, Length, Matches, ValidateNested } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class MeasuredMetricInput {
  @Length(1, 200) name!: string;
  @IsNumber() value!: number;
}

export class SubgroupResultInput {
  @Length(1, 200) subgroup!: string;
  @ArrayMinSize(1, { message: 'metrics must report at least one measured metric of the subgroup' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MeasuredMetricInput)
  metrics!: MeasuredMetricInput[];
}

/** Values only: thresholds, directions and the dataset come from the version's validation plan. */
export class RecordValidationResultInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) validationId!: string;
  @Length(1, 100) version!: string;
  @ArrayMinSize(1, { message: 'metrics must report at least one measured metric' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MeasuredMetricInput)
  metrics!: MeasuredMetricInput[];
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => SubgroupResultInput)
  subgroupResults!: SubgroupResultInput[];
}

@Resolver()
export class RecordValidationResultResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  recordValidationResult(
    @Args('input') input: RecordValidationResultInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RecordValidationResult',
      ...input,
      meta,
    }));
  }
}
