import { IsISO8601, IsOptional, Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class RevokeAccountabilityInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) assignmentId!: string;
  @Length(1, 4000) reason!: string;
  @IsOptional() @IsISO8601({ strict: true }) effectiveAt?: string;
}
