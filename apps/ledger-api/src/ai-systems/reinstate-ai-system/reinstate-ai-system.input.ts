import { ArrayMaxSize, ArrayMinSize, Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class ReinstateAiSystemInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) decisionId!: string;
  @Length(1, 4000) rationale!: string;
  @ArrayMinSize(1, {
    message: 'evidence must reference at least one piece of evidence the decision rests on',
  })
  @ArrayMaxSize(100)
  @Length(1, 1000, { each: true })
  evidence!: string[];
}
