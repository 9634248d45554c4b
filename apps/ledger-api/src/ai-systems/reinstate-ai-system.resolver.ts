import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, Length, Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class ReinstateAiSystemInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) decisionId!: string;
  @Length(1, 4000) rationale!: string;
  @ArrayMinSize(1, {
    message: 'evidence must reference at least one piece of evidence the decision rests on',
  })
  @ArrayMaxSize(100)
  @Length(1, 1000, { each: true })
  evidence!: string[];
}

@Resolver()
export class ReinstateAiSystemResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  reinstateAiSystem(
    @Args('input') input: ReinstateAiSystemInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'ReinstateAiSystem',
      ...input,
      meta,
    }));
  }
}
