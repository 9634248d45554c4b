import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsOptional, Length, Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE, SHA256_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RegisterModelVersionInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
  @Matches(/^[0-9a-f]{64}$/, SHA256_RULE) artifactSha256!: string;
  @ArrayMinSize(1, { message: 'trainingDatasetIds must list the datasets the version was trained on' })
  @ArrayMaxSize(100)
  @Matches(ID, { each: true, ...ID_RULE })
  trainingDatasetIds!: string[];
  @Length(1, 200) codeRevision!: string;
  @IsOptional() @Length(1, 100) parentVersion?: string;
  @Length(1, 4000) changeSummary!: string;
  @IsBoolean() withinChangeControlPlan!: boolean;
  @IsOptional() @Length(1, 256) developer?: string;
}

@Resolver()
export class RegisterModelVersionResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  registerModelVersion(
    @Args('input') input: RegisterModelVersionInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RegisterModelVersion',
      ...input,
      meta,
    }));
  }
}
