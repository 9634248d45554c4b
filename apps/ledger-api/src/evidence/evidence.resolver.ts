import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../graphql/graphql-context';
import { callerFrom, correlationIdFrom } from '../request-context/caller';
import { EvidenceExportService } from './evidence-export.service';

@Resolver()
export class EvidenceResolver {
  constructor(private readonly exports: EvidenceExportService) {}

  /** The same bundle `govledger export` writes, kept for its maker to download from GET /v1/exports/<exportId>. */
  @Mutation()
  async exportEvidenceBundle(
    @Args('systemId') systemId: string,
    @Args('from') from: string | undefined,
    @Args('to') to: string | undefined,
    @Args('sinceCheckpoint') sinceCheckpoint: string | undefined,
    @Args('recipient') recipient: string | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const { bundle, expiresAt } = await this.exports.export(
      callerFrom(ctx.request),
      { systemId, from, to, sinceCheckpoint, recipient },
      correlationIdFrom(ctx.request),
    );
    const { manifest } = bundle;
    return {
      exportId: bundle.exportId,
      downloadUrl: `/v1/exports/${bundle.exportId}`,
      expiresAt,
      bytes: bundle.bytes,
      manifestSha256: bundle.manifestSha256,
      events: manifest.counts.events,
      checkpoint: manifest.checkpoint,
      createdAt: manifest.createdAt,
    };
  }
}
