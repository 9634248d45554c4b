import { setImmediate as nextTurn } from 'node:timers/promises';
import type { InclusionProof, MerkleProofService } from '@ledger/transparency-log';

/** Proofs worked out in one turn of the event loop: a few milliseconds of hashing and reads. */
const CHUNK = 10;

interface Wanted {
  eventId: string;
  treeSize: number | undefined;
  resolve(proof: InclusionProof): void;
  reject(error: unknown): void;
}

const perRequest = new WeakMap<object, RequestProofs>();

/** The one set of proofs of this request: every resolver of its page joins it. */
export function requestProofs(request: object, proofs: MerkleProofService): RequestProofs {
  let found = perRequest.get(request);
  if (!found) perRequest.set(request, (found = new RequestProofs(proofs)));
  return found;
}

/**
 * The inclusion proofs one GraphQL request asks for (one per event of a page,
 * each asked for by its own resolver in the same tick) are worked out together,
 * in chunks that read the checkpoint and the audit paths once each, and one
 * chunk per turn of the event loop. better-sqlite3 answers in microtasks, so a
 * page of proofs would otherwise run to its end without letting anyone in:
 * now health checks, ingest and other callers are served between two chunks.
 */
export class RequestProofs {
  private readonly queue: Wanted[] = [];
  private draining = false;

  constructor(private readonly proofs: MerkleProofService) {}

  prove(eventId: string, treeSize: number | undefined): Promise<InclusionProof> {
    return new Promise((resolve, reject) => {
      this.queue.push({ eventId, treeSize, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // The turn also lets the rest of the page's resolvers join the queue before the first chunk.
      await nextTurn();
      const { treeSize } = this.queue[0];
      const chunk: Wanted[] = [];
      for (let i = 0; i < this.queue.length && chunk.length < CHUNK;)
        if (this.queue[i].treeSize === treeSize) chunk.push(...this.queue.splice(i, 1));
        else i++;
      await this.proveChunk(chunk, treeSize);
    }
    this.draining = false;
  }

  private async proveChunk(chunk: Wanted[], treeSize: number | undefined): Promise<void> {
    try {
      const proofs = await this.proofs.inclusionProofs(
        chunk.map((wanted) => wanted.eventId),
        treeSize,
      );
      chunk.forEach((wanted, i) => wanted.resolve(proofs[i]));
    } catch {
      // One event the checkpoint does not cover fails the whole chunk: each is then proved alone, to get its own answer.
      for (const wanted of chunk) {
        await nextTurn();
        await this.proofs.inclusionProof(wanted.eventId, treeSize).then(wanted.resolve, wanted.reject);
      }
    }
  }
}
