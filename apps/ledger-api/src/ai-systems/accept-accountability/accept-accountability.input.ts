import { Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class AcceptAccountabilityInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) assignmentId!: string;
}
