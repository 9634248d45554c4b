import { Length, Matches } from 'class-validator';
import { ID, ID_RULE } from '../../commands/input-rules';

export class DeployModelVersionInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 100) version!: string;
}
