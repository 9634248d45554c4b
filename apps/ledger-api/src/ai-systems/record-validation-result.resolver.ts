import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsNumber, Length, Matches, ValidateNested } from 'class-validator';
import { THRESHOLD_DIRECTIONS, type ThresholdDirection } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class MetricInput {
  @Length(1, 200) name!: string;
  @IsNumber() value!: number;
  @IsNumber() threshold!: number;
  @IsIn(THRESHOLD_DIRECTIONS) direction!: ThresholdDirection;
}

export class SubgroupResultInput {
  @Length(1, 200) subgroup!: string;
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => MetricInput) metrics!: MetricInput[];
}

export class RecordValidationResultInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) validationId!: string;
  @Length(1, 100) version!: string;
  @Matches(ID, ID_RULE) datasetId!: string;
  @ArrayMinSize(1, { message: 'metrics must hold at least one metric with its threshold' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MetricInput)
  metrics!: MetricInput[];
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
