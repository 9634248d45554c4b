import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class ResolveAuditFindingInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) auditId!: string;
  @Matches(ID, ID_RULE) findingId!: string;
  @Length(1, 4000) resolution!: string;
}

@Resolver()
export class ResolveAuditFindingResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  resolveAuditFinding(
    @Args('input') input: ResolveAuditFindingInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'ResolveAuditFinding',
      ...input,
      meta,
    }));
  }
}
