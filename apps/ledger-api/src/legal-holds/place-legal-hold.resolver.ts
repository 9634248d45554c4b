import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsOptional, Length, Matches } from 'class-validator';
import type { LegalHoldScope } from '@ledger/domain';
import { LegalHoldCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import { ProblemError } from '../errors/problem';
import type { GraphqlContext } from '../graphql/graphql-context';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import { callerFrom } from '../request-context/caller';

export class PlaceLegalHoldInput {
  @Matches(ID, ID_RULE) holdId!: string;
  @IsOptional() @Matches(ID, ID_RULE) systemId?: string;
  @IsOptional() @Length(1, 256) personId?: string;
  @IsOptional() @Length(1, 256) patientId?: string;
  @Length(1, 2000) reason!: string;
  @Length(1, 500) matter!: string;
}

@Resolver()
export class PlaceLegalHoldResolver {
  constructor(
    private readonly holds: LegalHoldCommands,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  @Mutation()
  async placeLegalHold(
    @Args('input') input: PlaceLegalHoldInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    const scope = this.scopeOf(input, callerFrom(ctx.request).tenantId);
    const systemRegistered =
      scope.kind === 'SYSTEM' ? await this.holds.systemRegistered(ctx, scope.systemId) : undefined;
    const { holdId, reason, matter } = input;
    return this.holds.handle(ctx, (meta) => ({
      type: 'PlaceLegalHold',
      holdId,
      scope,
      reason,
      matter,
      systemRegistered,
      meta,
    }));
  }

  /** Exactly one of systemId, personId and patientId; a person or patient leaves this method as a digest only. */
  private scopeOf(input: PlaceLegalHoldInput, tenantId: string): LegalHoldScope {
    // GraphQL lets a client send null for an optional field: it names nothing, as if left out.
    const named = (['systemId', 'personId', 'patientId'] as const).filter(
      (f) => input[f] !== undefined && input[f] !== null,
    );
    if (named.length !== 1)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: named[1] ?? 'systemId',
        message: `name exactly one of systemId, personId or patientId for the hold to cover; got ${named.join(' and ') || 'none'}`,
      });
    const [field] = named;
    const value = input[field]!;
    if (field === 'systemId') return { kind: 'SYSTEM', systemId: value };
    const subjectKind = field === 'personId' ? 'PERSON' : 'PATIENT';
    if (value.trim() === '')
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field,
        message: `${field} must name the ${subjectKind.toLowerCase()} the hold covers, not blank text`,
      });
    return {
      kind: 'SUBJECT',
      subjectKind,
      subjectDigest: this.pseudonymiser.subjectDigest(tenantId, subjectKind, value),
    };
  }
}
