import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, Length, Matches } from 'class-validator';
import { DATASET_CLASSIFICATIONS, type DatasetClassification } from '@ledger/domain';
import { DatasetCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RegisterDatasetInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Length(1, 200) name!: string;
  @IsIn(DATASET_CLASSIFICATIONS) classification!: DatasetClassification;
  @Length(1, 1000) legalBasis!: string;
  @Length(1, 256) steward!: string;
  @Length(1, 1000) source!: string;
  @Matches(ISO_DURATION, ISO_DURATION_RULE) retentionPeriod!: string;
}

@Resolver()
export class RegisterDatasetResolver {
  constructor(private readonly datasets: DatasetCommands) {}

  @Mutation()
  registerDataset(
    @Args('input') input: RegisterDatasetInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.datasets.handle(ctx, input.datasetId, (meta) => ({
      type: 'RegisterDataset',
      ...input,
      meta,
    }));
  }
}
