import { Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class ApproveDatasetInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Length(1, 200) purpose!: string;
}
