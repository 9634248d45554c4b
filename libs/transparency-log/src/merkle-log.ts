import type { EventStore } from '@ledger/event-store';
import {
  ProjectionRunner,
  type ProjectionStatus,
  type ReadStore,
  type RunnerLogger,
} from '@ledger/read-store';
import type { LedgerKeys } from './ledger-keys';
import { MerkleProofService } from './merkle-proofs';
import { MerkleSealer } from './merkle-sealer';
import type { MerkleTables } from './merkle-tables';
import { type TlogWitness, TlogWitnessClient } from './tlog-witness-client';
import { WitnessPublisher, type WitnessTarget } from './witnesses';
import { CheckpointTimestamper } from './checkpoint-timestamps';

export interface MerkleLogOptions {
  store: EventStore;
  readStore: ReadStore;
  keys: LedgerKeys;
  origin: string;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  witnesses?: readonly WitnessTarget[];
  /** Witnesses that cosign (c2sp.org/tlog-witness); their cosignatures are stored with the checkpoints. */
  cosigningWitnesses?: readonly TlogWitness[];
  /** First wait before sending to an unreachable witness again; it doubles up to a minute. */
  witnessRetryMs?: number;
  logger?: RunnerLogger;
  maxBatchSize?: number;
  /** `LEDGER_TSA_URL`: an RFC 3161 timestamp authority that stamps every checkpoint; none when absent. */
  tsaUrl?: string;
  /** First wait before asking an unreachable timestamp authority again; it doubles up to a minute. */
  tsaRetryMs?: number;
}

/**
 * Sealing runs in the appenders' process, so every batch it seals is time
 * their appends wait. Gathering a quarter of a second of appends per batch
 * makes the per-batch part of that cost (one read of the store, one read-store
 * transaction) vanish per event; a proof is asked of a sealed event, and a
 * checkpoint comes every N events or T seconds anyway, so nobody waits on it.
 */
const SEAL_LINGER_MS = 250;

/**
 * The sealer on its runner, with time-based checkpoints and witnesses: the
 * whole of "seal the log" that a host (the API, a test, a benchmark) starts and stops.
 */
export class MerkleLog {
  readonly sealer: MerkleSealer;
  readonly runner: ProjectionRunner<MerkleTables>;
  readonly proofs: MerkleProofService;
  readonly witnesses: WitnessPublisher;
  readonly timestamps?: CheckpointTimestamper;
  readonly cosigners: readonly TlogWitnessClient[];
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: MerkleLogOptions) {
    if (!Number.isSafeInteger(options.checkpointEveryMs) || options.checkpointEveryMs < 1) {
      throw new RangeError(
        `checkpointEveryMs must be a whole number of milliseconds, 1 or more, got ${options.checkpointEveryMs}`,
      );
    }
    this.witnesses = new WitnessPublisher(options.witnesses ?? [], {
      logger: options.logger,
      firstRetryMs: options.witnessRetryMs,
    });
    if (options.tsaUrl)
      this.timestamps = new CheckpointTimestamper({
        readStore: options.readStore,
        url: options.tsaUrl,
        logger: options.logger,
        firstRetryMs: options.tsaRetryMs,
      });
    this.sealer = new MerkleSealer({
      readStore: options.readStore,
      origin: options.origin,
      signers: () => options.keys.signers(),
      checkpointEveryEvents: options.checkpointEveryEvents,
      onCheckpoint: (note, treeSize) => {
        options.logger?.info({ treeSize }, 'checkpoint signed');
        this.witnesses.publish(note, treeSize);
        this.timestamps?.checkpointSigned();
        for (const cosigner of this.cosigners) cosigner.notify();
      },
    });
    this.runner = new ProjectionRunner({
      store: options.store,
      readStore: options.readStore,
      consumer: this.sealer,
      logger: options.logger,
      maxBatchSize: options.maxBatchSize,
      lingerMs: SEAL_LINGER_MS,
    });
    this.proofs = new MerkleProofService(options.readStore);
    this.cosigners = (options.cosigningWitnesses ?? []).map(
      (witness) =>
        new TlogWitnessClient(witness, {
          proofs: this.proofs,
          logger: options.logger,
          firstRetryMs: options.witnessRetryMs,
        }),
    );
  }

  async start(): Promise<void> {
    await this.runner.start();
    this.startCheckpointTimer();
  }

  /** For a host that starts the runner itself (the API starts every runner together). */
  startCheckpointTimer(): void {
    // A witness that missed checkpoints while we were down (or was just added) gets the latest now.
    for (const cosigner of this.cosigners) cosigner.notify();
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.checkpointIfGrown(), this.options.checkpointEveryMs);
    this.timer.unref();
  }

  /**
   * Stops sealing after the batch in flight and signs what was sealed, so a
   * clean shutdown leaves every sealed event checkpointed. Witnesses get a
   * moment to take that checkpoint; shutdown does not wait on an unreachable one.
   */
  async stop(witnessGraceMs = 2000): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.runner.stop();
    await this.checkpointIfGrown();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.witnesses.idle(), this.timestamps?.idle(), ...this.cosigners.map((c) => c.idle())]),
      new Promise((resolve) => (grace = setTimeout(resolve, witnessGraceMs))),
    ]);
    clearTimeout(grace);
    this.witnesses.stop();
    this.timestamps?.stop();
    for (const cosigner of this.cosigners) cosigner.stop();
  }

  status(): Promise<ProjectionStatus> {
    return this.runner.status();
  }

  private async checkpointIfGrown(): Promise<void> {
    try {
      await this.sealer.checkpointIfGrown();
    } catch (error) {
      this.options.logger?.error({ err: error }, 'could not sign a time-based checkpoint; will try again');
    }
    // Also on every tick: checkpoints signed before a restart, or while the authority was down, get stamped.
    this.timestamps?.checkpointSigned();
  }
}
