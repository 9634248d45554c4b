import { IsISO8601, Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class GrantDatasetAccessInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Matches(ID, ID_RULE) grantId!: string;
  @Length(1, 256) principal!: string;
  @Length(1, 200) purpose!: string;
  @IsISO8601({ strict: true }) expiresAt!: string;
}
