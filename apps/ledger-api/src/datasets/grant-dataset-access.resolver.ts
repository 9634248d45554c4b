import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsISO8601, Length, Matches } from 'class-validator';
import { datasetDecider, streamNames } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class GrantDatasetAccessInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Matches(ID, ID_RULE) grantId!: string;
  @Length(1, 256) principal!: string;
  @Length(1, 200) purpose!: string;
  @IsISO8601({ strict: true }) expiresAt!: string;
}

@Resolver()
export class GrantDatasetAccessResolver {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Mutation()
  grantDatasetAccess(
    @Args('input') input: GrantDatasetAccessInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.dataset(input.datasetId),
      datasetDecider,
      (meta) => ({ type: 'GrantDatasetAccess', ...input, meta }),
    );
  }
}
