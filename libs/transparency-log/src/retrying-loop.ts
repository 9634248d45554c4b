import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryingLoopOptions {
  /** One round of the work: bring its target up to date. It throws to be retried. */
  round(signal: AbortSignal): Promise<void>;
  /** Called with each failed round and the wait before the next one. */
  failed(error: unknown, retryInMs: number): void;
  /** Whether another round may run at all (a standing conflict stops it until restart). */
  mayRun?(): boolean;
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/**
 * Background work that follows the latest checkpoint (a witness to cosign
 * it, a timestamp authority to stamp it): a nudge starts a round, or asks
 * the round in flight for one more, so nudges never queue up; a failed round
 * is retried after a wait doubling from firstRetryMs up to maxRetryMs, and
 * the wait ends early on stop.
 */
export class RetryingLoop {
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private again = false;

  constructor(private readonly options: RetryingLoopOptions) {}

  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  nudge(): void {
    if (this.signal.aborted) return;
    this.again = true;
    this.running ??= this.run().finally(() => (this.running = undefined));
  }

  /** Resolves once no round is in flight: up to date, or waiting for nothing until the next nudge. */
  async idle(): Promise<void> {
    await this.running;
  }

  stop(): void {
    this.stopping.abort();
  }

  private async run(): Promise<void> {
    const { firstRetryMs = 1000, maxRetryMs = 60_000 } = this.options;
    let failures = 0;
    while (this.again && !this.signal.aborted && (this.options.mayRun?.() ?? true)) {
      this.again = false;
      try {
        await this.options.round(this.signal);
        failures = 0;
      } catch (error) {
        const retryInMs = Math.min(maxRetryMs, firstRetryMs * 2 ** failures++);
        this.options.failed(error, retryInMs);
        this.again = true;
        // A stop rejects the wait early; the loop then sees the aborted signal.
        await sleep(retryInMs, undefined, { signal: this.signal }).catch(() => undefined);
      }
    }
  }
}
