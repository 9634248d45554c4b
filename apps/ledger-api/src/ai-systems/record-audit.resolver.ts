import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsISO8601, Length, Matches, ValidateNested } from 'class-validator';
import { FINDING_SEVERITIES, type FindingSeverity } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class AuditFindingInput {
  @Matches(ID, ID_RULE) findingId!: string;
  @IsIn(FINDING_SEVERITIES) severity!: FindingSeverity;
  @Length(1, 4000) description!: string;
  @Length(1, 256) owner!: string;
  @IsISO8601({ strict: true }) dueAt!: string;
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
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  recordAudit(
    @Args('input') input: RecordAuditInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({ type: 'RecordAudit', ...input, meta }));
  }
}
