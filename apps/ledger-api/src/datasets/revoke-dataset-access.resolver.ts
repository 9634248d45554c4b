import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { datasetDecider, streamNames } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class RevokeDatasetAccessInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Matches(ID, ID_RULE) grantId!: string;
  @Length(1, 4000) reason!: string;
}

@Resolver()
export class RevokeDatasetAccessResolver {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Mutation()
  revokeDatasetAccess(
    @Args('input') input: RevokeDatasetAccessInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.dataset(input.datasetId),
      datasetDecider,
      (meta) => ({ type: 'RevokeDatasetAccess', ...input, meta }),
    );
  }
}
