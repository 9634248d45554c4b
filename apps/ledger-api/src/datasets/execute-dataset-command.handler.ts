import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '@ledger/event-store';
import { type DatasetCommand, datasetDecider, streamNames, tenantStream } from '@ledger/domain';
import { type CommandContext, commandMeta } from '../commands/command-context';
import { executeOnStream, type CommandReceipt } from '../commands/stream-decider';
import { EVENT_STORE } from '../store/event-store.module';
import { withSpan } from '../tracing/with-span';

export type DatasetRequest = DatasetCommand extends infer T
  ? T extends unknown
    ? Omit<T, 'meta'>
    : never
  : never;

export class ExecuteDatasetCommand {
  constructor(
    readonly request: DatasetRequest,
    readonly ctx: CommandContext,
  ) {}
}

/** Every dataset command: load the dataset's stream, decide, append. */
@CommandHandler(ExecuteDatasetCommand)
export class ExecuteDatasetCommandHandler implements ICommandHandler<ExecuteDatasetCommand, CommandReceipt> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ request, ctx }: ExecuteDatasetCommand): Promise<CommandReceipt> {
    const stream = tenantStream(ctx.caller.tenantId, streamNames.dataset(request.datasetId));
    return withSpan(
      `command ${request.type}`,
      () =>
        executeOnStream(
          this.store,
          stream,
          datasetDecider,
          () => ({ ...request, meta: commandMeta(ctx) }) as DatasetCommand,
          ctx,
        ),
      { 'ledger.stream': stream },
    );
  }
}
