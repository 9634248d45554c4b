import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsOptional,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { TAKEDOWN_ACTIONS, type TakedownAction } from '@ledger/domain';
import { ID, ID_RULE } from '../../commands/input-rules';

export class DecideTakedownInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) decisionId!: string;
  @IsIn(TAKEDOWN_ACTIONS) action!: TakedownAction;
  @ValidateIf((input: DecideTakedownInput) => input.action === 'rollback' || input.toVersion !== undefined)
  @Length(1, 100, { message: 'toVersion must name the earlier validated version to roll back to' })
  toVersion?: string;
  @Length(1, 4000) rationale!: string;
  @ArrayMinSize(1, {
    message: 'evidence must reference at least one piece of evidence the decision rests on',
  })
  @ArrayMaxSize(100)
  @Length(1, 1000, { each: true })
  evidence!: string[];
  @IsOptional() @IsBoolean() emergency?: boolean;
}
