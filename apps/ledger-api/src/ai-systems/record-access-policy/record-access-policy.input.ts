import { ArrayMaxSize, ArrayMinSize, Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class RecordAccessPolicyInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 500) documentRef!: string;
  @ArrayMinSize(1) @ArrayMaxSize(100) @Length(1, 200, { each: true }) permittedRoles!: string[];
  @ArrayMinSize(1) @ArrayMaxSize(100) @Length(1, 200, { each: true }) permittedPurposes!: string[];
}
