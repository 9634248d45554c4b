import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, Length, Matches, ValidateNested } from 'class-validator';
import { FINDING_SEVERITIES, type FindingSeverity } from '@ledger/domain';
import { ID, ID_RULE } from '../../commands/input-rules';

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
