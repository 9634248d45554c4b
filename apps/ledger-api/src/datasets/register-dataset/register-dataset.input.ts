import { IsIn, Length, Matches } from 'class-validator';
import { DATASET_CLASSIFICATIONS, type DatasetClassification } from '@ledger/domain';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../../commands/input-rules';

export class RegisterDatasetInput {
  @Matches(ID, ID_RULE) datasetId!: string;
  @Length(1, 200) name!: string;
  @IsIn(DATASET_CLASSIFICATIONS) classification!: DatasetClassification;
  @Length(1, 1000) legalBasis!: string;
  @Length(1, 256) steward!: string;
  @Length(1, 1000) source!: string;
  @Matches(ISO_DURATION, ISO_DURATION_RULE) retentionPeriod!: string;
}
