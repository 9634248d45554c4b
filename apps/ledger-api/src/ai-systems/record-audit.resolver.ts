import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, Length, Matches, ValidateNested } from 'class-validator';
import {
  aiSystemDecider,
  FINDING_SEVERITIES,
  streamNames,
  type FindingSeverity,
  type GovernancePolicy,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class AuditFindingInput {
  @IsIn(FINDING_SEVERITIES) severity!: FindingSeverity;
  @Length(1, 4000) description!: string;
}

export class RecordAuditInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) auditId!: string;
  @Length(1, 4000) scope!: string;
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AuditFindingInput)
  findings!: AuditFindingInput[];
}

@Resolver()
export class RecordAuditResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  recordAudit(
    @Args('input') input: RecordAuditInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'RecordAudit', ...input, meta }),
    );
  }
}
