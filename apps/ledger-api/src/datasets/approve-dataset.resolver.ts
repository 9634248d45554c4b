import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { DatasetCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class ApproveDatasetInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Length(1, 200) purpose!: string;
}

@Resolver()
export class ApproveDatasetResolver {
  constructor(private readonly datasets: DatasetCommands) {}

  @Mutation()
  approveDataset(
    @Args('input') input: ApproveDatasetInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.datasets.handle(ctx, input.datasetId, (meta) => ({ type: 'ApproveDataset', ...input, meta }));
  }
}
