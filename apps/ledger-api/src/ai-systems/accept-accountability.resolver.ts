import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class AcceptAccountabilityInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) assignmentId!: string;
}

@Resolver()
export class AcceptAccountabilityResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  acceptAccountability(
    @Args('input') input: AcceptAccountabilityInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'AcceptAccountability',
      ...input,
      meta,
    }));
  }
}
