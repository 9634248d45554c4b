import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import {
  datasetDecider,
  datasetSnapshot,
  streamNames,
  trainingDatasetsToCheck,
  type DatasetSnapshot,
  tenantStream,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { AiSystemCommands, loadState, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { callerFrom } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';

export class DeployModelVersionInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
}

@Resolver()
export class DeployModelVersionResolver {
  constructor(
    private readonly aiSystems: AiSystemCommands,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** The caller names the version; the training datasets' approvals are read, never taken from the caller. */
  @Mutation()
  deployModelVersion(
    @Args('input') input: DeployModelVersionInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    const { tenantId } = callerFrom(ctx.request);
    return this.aiSystems.handle(ctx, input.systemId, async (meta, state) => ({
      type: 'DeployModelVersion',
      ...input,
      datasets: await this.loadTrainingDatasetSnapshots(
        tenantId,
        trainingDatasetsToCheck(state, input.version),
      ),
      meta,
    }));
  }

  /** Datasets are aggregates of their own: their snapshots go into the command so the decider stays pure. */
  private loadTrainingDatasetSnapshots(
    tenantId: string,
    datasetIds: readonly string[],
  ): Promise<DatasetSnapshot[]> {
    return Promise.all(
      datasetIds.map(async (datasetId) => {
        const stream = tenantStream(tenantId, streamNames.dataset(datasetId));
        const { state } = await loadState(this.store, stream, datasetDecider);
        return datasetSnapshot(datasetId, state);
      }),
    );
  }
}
