import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsISO8601, Length, Matches } from 'class-validator';
import { DatasetCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class GrantDatasetAccessInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Matches(ID, ID_RULE) grantId!: string;
  @Length(1, 256) principal!: string;
  @Length(1, 200) purpose!: string;
  @IsISO8601({ strict: true }) expiresAt!: string;
}

@Resolver()
export class GrantDatasetAccessResolver {
  constructor(private readonly datasets: DatasetCommands) {}

  @Mutation()
  grantDatasetAccess(
    @Args('input') input: GrantDatasetAccessInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.datasets.handle(ctx, input.datasetId, (meta) => ({
      type: 'GrantDatasetAccess',
      ...input,
      meta,
    }));
  }
}
