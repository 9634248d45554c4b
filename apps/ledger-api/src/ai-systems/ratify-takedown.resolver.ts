import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RatifyTakedownInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) decisionId!: string;
}

@Resolver()
export class RatifyTakedownResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  ratifyTakedown(
    @Args('input') input: RatifyTakedownInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({ type: 'RatifyTakedown', ...input, meta }));
  }
}
