import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsISO8601, IsNumber, IsOptional, Length, Matches } from 'class-validator';
import { SIGNAL_KINDS, type SignalKind } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RecordMonitoringSignalInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @IsIn(SIGNAL_KINDS) kind!: SignalKind;
  @Length(1, 200) metric!: string;
  @IsNumber() value!: number;
  @IsOptional() @Length(1, 200) subgroup?: string;
  @IsISO8601({ strict: true }) observedAt!: string;
}

@Resolver()
export class RecordMonitoringSignalResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  recordMonitoringSignal(
    @Args('input') input: RecordMonitoringSignalInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RecordMonitoringSignal',
      ...input,
      meta,
    }));
  }
}
