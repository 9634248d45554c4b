import { Controller, Get, Header, Inject, Query, Req, Res } from '@nestjs/common';
import { LedgerKeys, MerkleProofService } from '@ledger/transparency-log';
import type { EventStore } from '@ledger/event-store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerFrom } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { ProblemError } from '../errors/problem';
import { assertProvable, proofProblem } from './proof-problem';
import { consistencyProofView, inclusionProofView } from './proof-views';
import { ConsistencyProofQuery, InclusionProofQuery } from './proof-queries';

/** Hashes are standard base64, as in the checkpoint's root line; `eventHash` stays hex. Bodies come from proof-views.ts, which GraphQL shares. */
@Controller()
export class IntegrityController {
  constructor(
    private readonly proofs: MerkleProofService,
    private readonly keys: LedgerKeys,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /**
   * The latest signed checkpoint, verbatim, with the witness cosignatures it
   * has gathered appended as further signature lines (c2sp.org/tlog-witness):
   * what Go's sumdb/note and witness-aware verifiers read.
   */
  @Get('checkpoint')
  async checkpoint(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const latest = await this.proofs.latestCheckpoint();
    if (!latest)
      throw new ProblemError({
        status: 404,
        code: 'NO_CHECKPOINT',
        message:
          'no checkpoint has been signed yet; the sealer signs one after the first events are appended',
      });
    // Set only on success: an error is answered in JSON.
    void reply.type('text/plain; charset=utf-8');
    return this.proofs.cosignedNote(latest);
  }

  /** Every verifier key the ledger has signed with, oldest first, one per line (note vkey format). */
  @Get('v1/keys')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  verifierKeys(): string {
    return this.keys
      .verifierKeys()
      .map((key) => `${key}\n`)
      .join('');
  }

  @Get('v1/proofs/inclusion')
  async inclusion(@Query() query: InclusionProofQuery, @Req() request: FastifyRequest) {
    const [event] = await this.store.findByEventIds([query.eventId]);
    assertProvable(
      callerFrom(request),
      query.eventId,
      event && {
        tenantId: event.metadata.tenantId,
        systemId: (event.data as { systemId?: unknown }).systemId,
      },
    );
    const proof = await this.proofs
      .inclusionProof(query.eventId, query.treeSize)
      .catch((error: unknown) => Promise.reject(proofProblem(error)));
    return inclusionProofView(proof);
  }

  @Get('v1/proofs/consistency')
  async consistency(@Query() query: ConsistencyProofQuery) {
    const proof = await this.proofs
      .consistencyProof(query.from, query.to)
      .catch((error: unknown) => Promise.reject(proofProblem(error)));
    return consistencyProofView(proof);
  }
}
