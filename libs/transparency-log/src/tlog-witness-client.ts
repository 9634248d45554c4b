import {
  cosignatureVerifier,
  formatKeyId,
  hashToBase64,
  IntegrityError,
  type NoteVerifier,
  verifyCosignatures,
} from '@ledger/integrity';
import type { RunnerLogger } from '@ledger/read-store';
import type { MerkleProofService } from './merkle-proofs';
import { RetryingLoop } from './retrying-loop';
import type { WitnessStatus } from './witnesses';

/*
 * The client side of c2sp.org/tlog-witness. There is no queue to lose: the
 * checkpoints are in the database, and a witness needs only the latest one
 * with a consistency proof from the size it last cosigned, so each client
 * sends "the latest" whenever a checkpoint is signed, and resumes after a
 * restart from the largest size the witness's stored cosignatures show.
 */

/** One cosigning witness: where its add-checkpoint endpoint is, and the key its cosignatures must verify with. */
export interface TlogWitness {
  /** The witness's URL prefix; requests go to `<url>/add-checkpoint`. */
  readonly url: string;
  readonly verifierKey: string;
}

/** Why a witness's state cannot be reconciled with our log: a rollback, a fork, or a damaged store. */
export interface WitnessConflict {
  readonly witnessSize: number;
  readonly ourSize: number;
  readonly reason: string;
}

export interface TlogWitnessStatus extends WitnessStatus {
  /** The largest tree size this witness has cosigned (stored cosignatures included). */
  readonly cosignedSize: number;
  /** Refusals the operator must fix (403 key, 404 origin, 400 request); retried with backoff. */
  readonly refused: number;
  readonly conflict?: WitnessConflict;
}

export interface TlogWitnessClientOptions {
  proofs: MerkleProofService;
  logger?: RunnerLogger;
  firstRetryMs?: number;
  maxRetryMs?: number;
  timeoutMs?: number;
}

const WITNESS_RULE =
  'LEDGER_TLOG_WITNESSES must be comma-separated "<url> <witness verifier key>" pairs, the URL http(s):// and the key a cosignature/v1 verifier key';

/** `LEDGER_TLOG_WITNESSES`: comma-separated `<url> <verifier key>` pairs. Throws naming the rule. */
export function parseTlogWitnesses(list: string | undefined): TlogWitness[] {
  return (list ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [url, verifierKey, ...rest] = entry.split(/\s+/);
      if (rest.length > 0 || !verifierKey || !/^https?:\/\/[^\s]+$/i.test(url)) throw new Error(WITNESS_RULE);
      try {
        cosignatureVerifier(verifierKey);
      } catch (error) {
        throw new Error(`${WITNESS_RULE}: ${(error as Error).message}`);
      }
      return { url: url.replace(/\/+$/, ''), verifierKey };
    });
}

export class TlogWitnessClient {
  readonly label: string;
  private readonly verifier: NoteVerifier;
  private readonly loop: RetryingLoop;
  /** The size the witness holds, as far as we know; undefined until read from the stored cosignatures. */
  private witnessSize?: number;
  private cosignedSize = 0;
  private unreachable = 0;
  private refused = 0;
  private conflicts = 0;
  private conflict?: WitnessConflict;
  private latestSize = 0;

  constructor(
    private readonly witness: TlogWitness,
    private readonly options: TlogWitnessClientOptions,
  ) {
    this.verifier = cosignatureVerifier(witness.verifierKey);
    const url = new URL(witness.url);
    this.label = `${url.origin}${url.pathname}`;
    this.loop = new RetryingLoop({
      round: () => this.sendLatest(),
      failed: (error, retryInMs) => {
        if (error instanceof Refusal) this.refused++;
        else this.unreachable++;
        this.options.logger?.warn(
          { witness: this.label, retryInMs, err: error },
          'a witness did not cosign the latest checkpoint; will retry',
        );
      },
      mayRun: () => !this.conflict,
      firstRetryMs: options.firstRetryMs,
      maxRetryMs: options.maxRetryMs,
    });
  }

  /** A checkpoint was signed (or the service started): send the latest one, now or after the attempt in flight. */
  notify(): void {
    this.loop.nudge();
  }

  idle(): Promise<void> {
    return this.loop.idle();
  }

  stop(): void {
    this.loop.stop();
  }

  status(): TlogWitnessStatus {
    return {
      witness: this.label,
      queued: this.latestSize > this.cosignedSize && !this.conflict ? 1 : 0,
      unreachable: this.unreachable,
      refused: this.refused,
      conflicts: this.conflicts,
      cosignedSize: this.cosignedSize,
      ...(this.conflict ? { conflict: this.conflict } : {}),
    };
  }

  /** One add-checkpoint exchange, repeated at once when the witness answers 409 with a size we can prove from. */
  private async sendLatest(): Promise<void> {
    const { proofs } = this.options;
    const witnessKey = `${this.verifier.name}+${formatKeyId(this.verifier.keyId)}`;
    this.witnessSize ??= this.cosignedSize = await proofs.cosignedSize(witnessKey);
    for (;;) {
      const latest = await proofs.latestCheckpoint();
      if (!latest) return;
      this.latestSize = latest.treeSize;
      if (latest.treeSize <= this.cosignedSize) return;
      const old: number = this.witnessSize;
      if (old > latest.treeSize)
        return this.conflicted(
          old,
          latest.treeSize,
          'the witness holds a larger tree than our latest checkpoint',
        );
      const proof = await this.proofFrom(old, latest.treeSize);
      if (!proof) return this.conflicted(old, latest.treeSize, `our log has no checkpoint of size ${old}`);
      const body = `old ${old}\n${proof.map((hash) => `${hashToBase64(hash)}\n`).join('')}\n${latest.note}`;
      const response = await fetch(`${this.witness.url}/add-checkpoint`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? 10_000), this.loop.signal]),
      });
      const text = (await response.text()).slice(0, 64 * 1024);
      if (response.status === 200) {
        const cosignatures = this.readCosignatures(latest.note, text);
        await proofs.addCosignatures(latest.treeSize, cosignatures);
        this.witnessSize = this.cosignedSize = latest.treeSize;
        this.options.logger?.info({ witness: this.label, treeSize: latest.treeSize }, 'witness cosigned');
        continue; // a checkpoint signed meanwhile goes at once
      }
      if (response.status === 409) {
        const size = /^(0|[1-9][0-9]*)\n?$/.exec(text) ? Number(text.trim()) : undefined;
        if (size === undefined)
          throw new Error(`the witness answered 409 without its tree size: ${brief(text)}`);
        if (size > latest.treeSize)
          return this.conflicted(
            size,
            latest.treeSize,
            'the witness holds a larger tree than our latest checkpoint',
          );
        // It refused the very size it holds: its root there is not ours.
        if (size === old)
          return this.conflicted(
            size,
            latest.treeSize,
            `the witness holds another root at tree size ${size}`,
          );
        this.witnessSize = size;
        continue;
      }
      if (response.status === 422)
        return this.conflicted(
          old,
          latest.treeSize,
          `the witness refused our consistency proof from size ${old}`,
        );
      const reason = `the witness answered ${response.status}: ${brief(text)}`;
      throw [400, 403, 404].includes(response.status) ? new Refusal(reason) : new Error(reason);
    }
  }

  private async proofFrom(old: number, size: number): Promise<Uint8Array[] | undefined> {
    if (old === 0 || old === size) return [];
    const checkpoint = await this.options.proofs.checkpointOfSize(old);
    if (!checkpoint) return undefined;
    return (await this.options.proofs.consistencyProof(old, size)).proof;
  }

  /** The 200 body: signature lines, of which ours must be a valid cosignature by the configured key. */
  private readCosignatures(note: string, body: string) {
    try {
      const found = verifyCosignatures(note + body, [this.verifier]);
      if (found.length === 0) throw new Error('no cosignature by the configured key in its answer');
      return found;
    } catch (error) {
      const reason = error instanceof IntegrityError ? error.message : (error as Error).message;
      throw new Error(`the witness's cosignature does not verify: ${reason}`);
    }
  }

  private conflicted(witnessSize: number, ourSize: number, reason: string): void {
    this.conflicts++;
    this.conflict = { witnessSize, ourSize, reason };
    this.options.logger?.error(
      { witness: this.label, witnessSize, ourSize, reason },
      'WITNESS_CONFLICT: a witness holds a checkpoint our log cannot be consistent with (a rollback or a fork); no further checkpoints go to it until this is investigated and the service restarted',
    );
  }
}

/** A refusal the operator must fix (key, origin, request form), told apart from an unreachable witness. */
class Refusal extends Error {}

const brief = (text: string) => JSON.stringify(text.slice(0, 200));
