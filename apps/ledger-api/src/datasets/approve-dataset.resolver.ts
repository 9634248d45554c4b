import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { datasetDecider, streamNames } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class ApproveDatasetInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Length(1, 200) purpose!: string;
}

@Resolver()
export class ApproveDatasetResolver {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Mutation()
  approveDataset(
    @Args('input') input: ApproveDatasetInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.dataset(input.datasetId),
      datasetDecider,
      (meta) => ({ type: 'ApproveDataset', ...input, meta }),
    );
  }
}
