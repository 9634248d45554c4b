import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsOptional,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { TAKEDOWN_ACTIONS, type TakedownAction } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class DecideTakedownInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) decisionId!: string;
  @IsIn(TAKEDOWN_ACTIONS) action!: TakedownAction;
  @ValidateIf((input: DecideTakedownInput) => input.action === 'rollback' || input.toVersion !== undefined)
  @Length(1, 100, { message: 'toVersion must name the earlier validated version to roll back to' })
  toVersion?: string;
  @Length(1, 4000) rationale!: string;
  @ArrayMinSize(1, {
    message: 'evidence must reference at least one piece of evidence the decision rests on',
  })
  @ArrayMaxSize(100)
  @Length(1, 1000, { each: true })
  evidence!: string[];
  @IsOptional() @IsBoolean() emergency?: boolean;
}

@Resolver()
export class DecideTakedownResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  decideTakedown(
    @Args('input') input: DecideTakedownInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({ type: 'DecideTakedown', ...input, meta }));
  }
}
