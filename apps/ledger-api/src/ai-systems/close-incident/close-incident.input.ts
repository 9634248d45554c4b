import { Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class CloseIncidentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @Length(1, 4000) resolution!: string;
}
