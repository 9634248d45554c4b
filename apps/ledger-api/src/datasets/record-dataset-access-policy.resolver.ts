import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsInt, Length, Matches, Max, Min } from 'class-validator';
import { DatasetCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RecordDatasetAccessPolicyInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Length(1, 500) documentRef!: string;
  @IsInt() @Min(1) @Max(3660) reviewEveryDays!: number;
}

@Resolver()
export class RecordDatasetAccessPolicyResolver {
  constructor(private readonly datasets: DatasetCommands) {}

  @Mutation()
  recordDatasetAccessPolicy(
    @Args('input') input: RecordDatasetAccessPolicyInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.datasets.handle(ctx, input.datasetId, (meta) => ({
      type: 'RecordDatasetAccessPolicy',
      ...input,
      meta,
    }));
  }
}
