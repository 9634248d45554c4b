import { Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class RevokeDatasetAccessInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Matches(ID, ID_RULE) grantId!: string;
  @Length(1, 4000) reason!: string;
}
