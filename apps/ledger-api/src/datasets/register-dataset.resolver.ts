import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, Length, Matches } from 'class-validator';
import {
  DATASET_CLASSIFICATIONS,
  datasetDecider,
  streamNames,
  type DatasetClassification,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

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
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Mutation()
  registerDataset(
    @Args('input') input: RegisterDatasetInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.dataset(input.datasetId),
      datasetDecider,
      (meta) => ({ type: 'RegisterDataset', ...input, meta }),
    );
  }
}
