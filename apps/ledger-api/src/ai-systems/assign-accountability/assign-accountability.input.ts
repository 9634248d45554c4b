import { IsISO8601, IsIn, Length, Matches } from 'class-validator';
import { ACCOUNTABILITY_ROLES, type AccountabilityRole } from '@ledger/domain';
import { ID, ID_RULE } from '../../commands/input-rules';

export class AssignAccountabilityInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) assignmentId!: string;
  @IsIn(ACCOUNTABILITY_ROLES) role!: AccountabilityRole;
  @Length(1, 256) assignee!: string;
  @IsISO8601({ strict: true }) effectiveFrom!: string;
}
