import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsNumber, Length, Matches, ValidateNested } from 'class-validator';
import { aiSystemDecider, streamNames, type GovernancePolicy } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { graphqlCommandContext, handleCommand, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';
import { EVENT_STORE } from '../store/event-store.module';

export class MeasuredMetricInput {
  @Length(1, 200) name!: string;
  @IsNumber() value!: number;
}

export class SubgroupResultInput {
  @Length(1, 200) subgroup!: string;
  @ArrayMinSize(1, { message: 'metrics must report at least one measured metric of the subgroup' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MeasuredMetricInput)
  metrics!: MeasuredMetricInput[];
}

/** Values only: thresholds, directions and the dataset come from the version's validation plan. */
export class RecordValidationResultInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) validationId!: string;
  @Length(1, 100) version!: string;
  @ArrayMinSize(1, { message: 'metrics must report at least one measured metric' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MeasuredMetricInput)
  metrics!: MeasuredMetricInput[];
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => SubgroupResultInput)
  subgroupResults!: SubgroupResultInput[];
}

@Resolver()
export class RecordValidationResultResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  @Mutation()
  recordValidationResult(
    @Args('input') input: RecordValidationResultInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(input.systemId),
      aiSystemDecider(this.policy),
      (meta) => ({ type: 'RecordValidationResult', ...input, meta }),
    );
  }
}
