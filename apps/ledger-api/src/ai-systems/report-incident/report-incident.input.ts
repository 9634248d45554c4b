import { IsBoolean, IsISO8601, IsIn, IsOptional, Length, Matches } from 'class-validator';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from '@ledger/domain';
import { ID, ID_RULE } from '../../commands/input-rules';

export class ReportIncidentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @IsIn(INCIDENT_SEVERITIES) severity!: IncidentSeverity;
  @Length(1, 4000) description!: string;
  @IsBoolean() patientHarmed!: boolean;
  @IsISO8601({ strict: true }) awareAt!: string;
  @IsOptional() @Length(1, 100) version?: string;
}
