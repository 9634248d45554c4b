import { IsIn, Length, Matches } from 'class-validator';
import { INCIDENT_PROGRESS, type IncidentProgress } from '@ledger/domain';
import { ID, ID_RULE } from '../../commands/input-rules';

export class UpdateIncidentStatusInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @IsIn(INCIDENT_PROGRESS) status!: IncidentProgress;
  @Length(1, 4000) note!: string;
}
