import { IsISO8601, IsIn, IsNumber, IsOptional, Length, Matches } from 'class-validator';
import { SIGNAL_KINDS, type SignalKind } from '@ledger/domain';
import { ID, ID_RULE } from '../../commands/input-rules';

export class RecordMonitoringSignalInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @IsIn(SIGNAL_KINDS) kind!: SignalKind;
  @Length(1, 200) metric!: string;
  @IsNumber() value!: number;
  @IsOptional() @Length(1, 200) subgroup?: string;
  @IsISO8601({ strict: true }) observedAt!: string;
}
