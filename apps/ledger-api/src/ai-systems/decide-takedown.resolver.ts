import { Inject } from '@nestjs/common';
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
import {
  aiSystemDecider,
  streamNames,
  TAKEDOWN_ACTIONS,
  type GovernancePolicy,
  type TakedownAction,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

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
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  decideTakedown(
    @Args('input') input: DecideTakedownInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'DecideTakedown', ...input, meta }),
    );
  }
}
