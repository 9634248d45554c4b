import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsISO8601, Length, Matches } from 'class-validator';
import { ACCOUNTABILITY_ROLES, type AccountabilityRole } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class AssignAccountabilityInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) assignmentId!: string;
  @IsIn(ACCOUNTABILITY_ROLES) role!: AccountabilityRole;
  @Length(1, 256) assignee!: string;
  @IsISO8601({ strict: true }) effectiveFrom!: string;
}

@Resolver()
export class AssignAccountabilityResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  assignAccountability(
    @Args('input') input: AssignAccountabilityInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'AssignAccountability',
      ...input,
      meta,
    }));
  }
}
