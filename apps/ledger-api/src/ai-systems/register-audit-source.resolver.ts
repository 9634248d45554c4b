import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RegisterAuditSourceInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) sourceService!: string;
  @Matches(ISO_DURATION, ISO_DURATION_RULE) expectedInterval!: string;
}

@Resolver()
export class RegisterAuditSourceResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  registerAuditSource(
    @Args('input') input: RegisterAuditSourceInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RegisterAuditSource',
      ...input,
      meta,
    }));
  }
}
