import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { DatasetCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RevokeDatasetAccessInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Matches(ID, ID_RULE) grantId!: string;
  @Length(1, 4000) reason!: string;
}

@Resolver()
export class RevokeDatasetAccessResolver {
  constructor(private readonly datasets: DatasetCommands) {}

  @Mutation()
  revokeDatasetAccess(
    @Args('input') input: RevokeDatasetAccessInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.datasets.handle(ctx, input.datasetId, (meta) => ({
      type: 'RevokeDatasetAccess',
      ...input,
      meta,
    }));
  }
}
