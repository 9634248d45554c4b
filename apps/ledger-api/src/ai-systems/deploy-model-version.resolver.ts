import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { trainingDatasetsToCheck } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class DeployModelVersionInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
}

@Resolver()
export class DeployModelVersionResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  /** The caller names the version; the training datasets' approvals are read, never taken from the caller. */
  @Mutation()
  deployModelVersion(
    @Args('input') input: DeployModelVersionInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, async (meta, state) => ({
      type: 'DeployModelVersion',
      ...input,
      datasets: await this.loadTrainingDatasetSnapshots(ctx, trainingDatasetsToCheck(state, input.version)),
      meta,
    }));
  }

  /** Deploy's own step: the training datasets whose approvals the deployment gates check. */
  private loadTrainingDatasetSnapshots(ctx: GraphqlContext, datasetIds: readonly string[]) {
    return this.aiSystems.datasetSnapshots(ctx, datasetIds);
  }
}
