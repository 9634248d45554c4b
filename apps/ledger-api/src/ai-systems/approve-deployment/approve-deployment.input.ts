import { IsIn, Length, Matches } from 'class-validator';
import { REVIEW_DISCIPLINES, type ReviewDiscipline } from '@ledger/domain';
import { ID, ID_RULE } from '../../commands/input-rules';

export class ApproveDeploymentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
  @IsIn(REVIEW_DISCIPLINES) discipline!: ReviewDiscipline;
}
