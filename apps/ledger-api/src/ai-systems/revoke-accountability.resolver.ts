import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsISO8601, IsOptional, Length, Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RevokeAccountabilityInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) assignmentId!: string;
  @Length(1, 4000) reason!: string;
  @IsOptional() @IsISO8601({ strict: true }) effectiveAt?: string;
}

@Resolver()
export class RevokeAccountabilityResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  revokeAccountability(
    @Args('input') input: RevokeAccountabilityInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RevokeAccountability',
      ...input,
      meta,
    }));
  }
}
