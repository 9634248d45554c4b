import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { aiSystemDecider, streamNames, trainingDatasetsToCheck, type GovernancePolicy } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import {
  graphqlCommandContext,
  handleCommand,
  loadDatasetSnapshots,
  type CommandReceipt,
} from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class DeployModelVersionInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
}

@Resolver()
export class DeployModelVersionResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  /** The caller names the version; the training datasets' approvals are read, never taken from the caller. */
  @Mutation()
  deployModelVersion(
    @Args('input') input: DeployModelVersionInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    const context = graphqlCommandContext(ctx);
    return handleCommand(
      this.store,
      context,
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      async (meta, state) => ({
        type: 'DeployModelVersion',
        ...input,
        datasets: await loadDatasetSnapshots(
          this.store,
          context.caller.tenantId,
          trainingDatasetsToCheck(state, input.version),
        ),
        meta,
      }),
    );
  }
}
