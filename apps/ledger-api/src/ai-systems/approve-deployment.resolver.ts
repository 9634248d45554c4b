import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, Length, Matches } from 'class-validator';
import { REVIEW_DISCIPLINES, type ReviewDiscipline } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class ApproveDeploymentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
  @IsIn(REVIEW_DISCIPLINES) discipline!: ReviewDiscipline;
}

@Resolver()
export class ApproveDeploymentResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  approveDeployment(
    @Args('input') input: ApproveDeploymentInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'ApproveDeployment',
      ...input,
      meta,
    }));
  }
}
