import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandReceipt } from '../commands/stream-decider';
import { graphqlCommandContext, type GraphqlContext } from '../graphql/graphql-context';
import { ExecuteDatasetCommand, type DatasetRequest } from './execute-dataset-command.handler';
import { ApproveDatasetInput } from './approve-dataset/approve-dataset.input';
import { GrantDatasetAccessInput } from './grant-dataset-access/grant-dataset-access.input';
import { RegisterDatasetInput } from './register-dataset/register-dataset.input';
import { RevokeDatasetAccessInput } from './revoke-dataset-access/revoke-dataset-access.input';

/** The GraphQL mutations on datasets: each validates its input (class-validator) and sends one command. */
@Resolver()
export class DatasetCommandsResolver {
  constructor(private readonly commands: CommandBus) {}

  private run(request: DatasetRequest, ctx: GraphqlContext): Promise<CommandReceipt> {
    return this.commands.execute(new ExecuteDatasetCommand(request, graphqlCommandContext(ctx)));
  }

  @Mutation()
  approveDataset(@Args('input') input: ApproveDatasetInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'ApproveDataset', ...input }, ctx);
  }

  @Mutation()
  grantDatasetAccess(@Args('input') input: GrantDatasetAccessInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'GrantDatasetAccess', ...input }, ctx);
  }

  @Mutation()
  registerDataset(@Args('input') input: RegisterDatasetInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RegisterDataset', ...input }, ctx);
  }

  @Mutation()
  revokeDatasetAccess(@Args('input') input: RevokeDatasetAccessInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RevokeDatasetAccess', ...input }, ctx);
  }
}
