import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { StoredEvent } from '@ledger/event-store';
import { MerkleProofService } from '@ledger/transparency-log';
import { ProblemError } from '../errors/problem';
import type { GraphqlContext } from '../graphql/graphql-context';
import { callerFrom } from '../request-context/caller';
import { assertProvable, proofProblem } from './proof-problem';
import { sizeRule } from './proof-queries';
import { checkpointView, consistencyProofView, inclusionProofView } from './proof-views';
import { requestProofs } from './request-proofs';

/** GraphQL's Int is 32-bit: larger sizes are refused by GraphQL itself before they get here. */
const GRAPHQL_INT_MAX = 2 ** 31 - 1;

function treeSizeArgument(name: string, value: number | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < 1)
    throw new ProblemError({
      status: 400,
      code: 'VALIDATION_FAILED',
      field: name,
      message: sizeRule(name, GRAPHQL_INT_MAX),
    });
  return value;
}

/** The checkpoint and consistency proofs carry no tenant's data, as over HTTP. */
@Resolver()
export class ProofQueriesResolver {
  constructor(private readonly proofs: MerkleProofService) {}

  @Query()
  async checkpoint() {
    const latest = await this.proofs.latestCheckpoint();
    return latest ? checkpointView(latest) : null;
  }

  @Query()
  async consistencyProof(@Args('from') from: number, @Args('to') to: number | null | undefined) {
    const proof = await this.proofs
      .consistencyProof(treeSizeArgument('from', from)!, treeSizeArgument('to', to))
      .catch((error: unknown) => Promise.reject(proofProblem(error)));
    return consistencyProofView(proof);
  }
}

@Resolver('LedgerEvent')
export class LedgerEventProofResolver {
  constructor(private readonly proofs: MerkleProofService) {}

  /**
   * Resolved only on events a root query has already shown the caller; the
   * tenant and a regulator's grants are checked again, as over HTTP, so no
   * future query returning LedgerEvent can leak a proof. One proof per event
   * in a page, only when asked for, the page's proofs worked out together in
   * chunks (see RequestProofs). `data` is the event's JSON text here.
   */
  @ResolveField()
  async inclusionProof(
    @Parent() event: Pick<StoredEvent, 'eventId' | 'metadata'> & { data: string },
    @Args('treeSize') treeSize: number | null | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const size = treeSizeArgument('treeSize', treeSize);
    assertProvable(callerFrom(ctx.request), event.eventId, {
      tenantId: event.metadata.tenantId,
      systemId: (JSON.parse(event.data) as { systemId?: unknown }).systemId,
    });
    const proof = await requestProofs(ctx.request, this.proofs)
      .prove(event.eventId, size)
      .catch((error: unknown) => Promise.reject(proofProblem(error)));
    return inclusionProofView(proof);
  }
}
