import { IsIn, IsNumber, Length, Matches } from 'class-validator';
import { THRESHOLD_DIRECTIONS, type ThresholdDirection } from '@ledger/domain';
import { ID, ID_RULE, ISO_DURATION, ISO_DURATION_RULE } from '../../commands/input-rules';

export class PlanMonitoringInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 200) metric!: string;
  @IsNumber() threshold!: number;
  @IsIn(THRESHOLD_DIRECTIONS) direction!: ThresholdDirection;
  @Matches(ISO_DURATION, ISO_DURATION_RULE) cadence!: string;
}
