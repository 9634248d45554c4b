import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { LegalHoldCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class ReleaseLegalHoldInput {
  @Matches(ID, ID_RULE) holdId!: string;
  @Length(1, 2000) reason!: string;
}

@Resolver()
export class ReleaseLegalHoldResolver {
  constructor(private readonly holds: LegalHoldCommands) {}

  @Mutation()
  releaseLegalHold(
    @Args('input') input: ReleaseLegalHoldInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.holds.handle(ctx, (meta) => ({ type: 'ReleaseLegalHold', ...input, meta }));
  }
}
