import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '@ledger/event-store';
import {
  type AiSystemCommand,
  aiSystemDecider,
  type AiSystemState,
  datasetDecider,
  datasetSnapshot,
  type GovernancePolicy,
  streamNames,
  tenantStream,
} from '@ledger/domain';
import { type CommandContext, commandMeta } from '../commands/command-context';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { executeOnStream, loadState, type CommandReceipt } from '../commands/stream-decider';
import { EVENT_STORE } from '../store/event-store.module';
import { withSpan } from '../tracing/with-span';

type WithoutMeta<T> = T extends unknown ? Omit<T, 'meta'> : never;
/** A deployment's dataset snapshots are read by the handler, never supplied by the caller. */
export type AiSystemRequest =
  | WithoutMeta<Exclude<AiSystemCommand, { type: 'DeployModelVersion' }>>
  | Omit<WithoutMeta<Extract<AiSystemCommand, { type: 'DeployModelVersion' }>>, 'datasets'>;

export class ExecuteAiSystemCommand {
  constructor(
    readonly request: AiSystemRequest,
    readonly ctx: CommandContext,
  ) {}
}

/** Every AI-system command: load the system's stream, decide, append. */
@CommandHandler(ExecuteAiSystemCommand)
export class ExecuteAiSystemCommandHandler implements ICommandHandler<
  ExecuteAiSystemCommand,
  CommandReceipt
> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  execute({ request, ctx }: ExecuteAiSystemCommand): Promise<CommandReceipt> {
    const stream = tenantStream(ctx.caller.tenantId, streamNames.aiSystem(request.systemId));
    return withSpan(
      `command ${request.type}`,
      () =>
        executeOnStream(
          this.store,
          stream,
          aiSystemDecider(this.policy),
          (state) => this.complete(request, state, ctx),
          ctx,
        ),
      { 'ledger.stream': stream },
    );
  }

  /** Deployment checks the training datasets' own streams; their snapshots go into the command so the decider stays pure. */
  private async complete(
    request: AiSystemRequest,
    state: AiSystemState,
    ctx: CommandContext,
  ): Promise<AiSystemCommand> {
    const meta = commandMeta(ctx);
    if (request.type !== 'DeployModelVersion') return { ...request, meta };
    const version =
      state.status === 'unregistered' ? undefined : state.versions.find((v) => v.version === request.version);
    const datasets = await Promise.all(
      (version?.trainingDatasetIds ?? []).map(async (datasetId) => {
        const { state: dataset } = await loadState(
          this.store,
          tenantStream(ctx.caller.tenantId, streamNames.dataset(datasetId)),
          datasetDecider,
        );
        return datasetSnapshot(datasetId, dataset);
      }),
    );
    return { ...request, datasets, meta };
  }
}
