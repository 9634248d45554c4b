import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
/** GraphQL's Int reaches only 2^31 - 1, so it names its own upper bound. */
export const sizeRule = (name: string, max = Number.MAX_SAFE_INTEGER) =>
  `${name} must be a whole number from 1 to ${max}: the tree size of a signed checkpoint`;

export class InclusionProofQuery {
  @IsUUID('all', { message: 'eventId must be the UUID of a ledger event' })
  eventId!: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: sizeRule('treeSize') })
  @Min(1, { message: sizeRule('treeSize') })
  @Max(Number.MAX_SAFE_INTEGER, { message: sizeRule('treeSize') })
  treeSize?: number;
}

export class ConsistencyProofQuery {
  @Transform(toInt)
  @IsInt({ message: sizeRule('from') })
  @Min(1, { message: sizeRule('from') })
  @Max(Number.MAX_SAFE_INTEGER, { message: sizeRule('from') })
  from!: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: sizeRule('to') })
  @Min(1, { message: sizeRule('to') })
  @Max(Number.MAX_SAFE_INTEGER, { message: sizeRule('to') })
  to?: number;
}
