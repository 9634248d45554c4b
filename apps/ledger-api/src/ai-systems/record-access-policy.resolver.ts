import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RecordAccessPolicyInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 500) documentRef!: string;
  @ArrayMinSize(1) @ArrayMaxSize(100) @Length(1, 200, { each: true }) permittedRoles!: string[];
  @ArrayMinSize(1) @ArrayMaxSize(100) @Length(1, 200, { each: true }) permittedPurposes!: string[];
  @IsOptional() @IsInt() @Min(1) @Max(3660) reviewEveryDays?: number;
}

@Resolver()
export class RecordAccessPolicyResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  recordAccessPolicy(
    @Args('input') input: RecordAccessPolicyInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RecordAccessPolicy',
      ...input,
      meta,
    }));
  }
}
