import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RegisterMonitoringSourceInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 256, { message: 'serviceId must be the token subject the monitoring service authenticates as' })
  serviceId!: string;
}

@Resolver()
export class RegisterMonitoringSourceResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  registerMonitoringSource(
    @Args('input') input: RegisterMonitoringSourceInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RegisterMonitoringSource',
      ...input,
      meta,
    }));
  }
}
