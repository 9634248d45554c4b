import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class VerifyAuditFindingClosureInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) auditId!: string;
  @Matches(ID, ID_RULE) findingId!: string;
  @Length(1, 4000) note!: string;
}

@Resolver()
export class VerifyAuditFindingClosureResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  verifyAuditFindingClosure(
    @Args('input') input: VerifyAuditFindingClosureInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'VerifyAuditFindingClosure',
      ...input,
      meta,
    }));
  }
}
