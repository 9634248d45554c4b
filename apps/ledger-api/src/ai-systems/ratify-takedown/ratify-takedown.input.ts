import { Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class RatifyTakedownInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) decisionId!: string;
}
