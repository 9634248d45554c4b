import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsOptional, IsUUID, Length, ValidateNested } from 'class-validator';
import type { GraphqlContext } from '../graphql/graphql-context';
import { callerFrom, correlationIdFrom } from '../request-context/caller';
import { ErasureService, type ErasureReceipt } from './erasure.service';

export class ErasureSubjectInput {
  @IsOptional() @Length(1, 256) personId?: string;
  @IsOptional() @Length(1, 256) patientId?: string;
}

export class RequestErasureInput {
  @ValidateNested() @Type(() => ErasureSubjectInput) subject!: ErasureSubjectInput;
  @Length(1, 500) legalBasis!: string;
  // Blank is refused by the decider, naming the field; a missing one never gets past the schema.
  @Length(0, 256) requestedBy!: string;
  @Length(1, 4000) rationale!: string;
  @IsOptional() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) alsoFreeTextOf?: string[];
}

/** A data protection officer's erasure of a person's or a patient's values: see ErasureService. */
@Resolver()
export class RequestErasureResolver {
  constructor(private readonly erasures: ErasureService) {}

  @Mutation()
  requestErasure(
    @Args('input') input: RequestErasureInput,
    @Context() ctx: GraphqlContext,
  ): Promise<ErasureReceipt> {
    return this.erasures.request(callerFrom(ctx.request), input, correlationIdFrom(ctx.request));
  }
}
