export interface ExportLimits {
  /** Exports one caller may have in progress at once. */
  concurrentPerCaller: number;
  /** Exports one caller may start in any hour. */
  perHourPerCaller: number;
  /** Exports in progress at once in this process, whoever asked. */
  concurrent: number;
}

export type Admission =
  | { admitted: true; release: () => void }
  | {
      admitted: false;
      /** Which limit: the caller's own, or the service's. */
      limit: 'concurrent-per-caller' | 'per-hour-per-caller' | 'concurrent';
      max: number;
      /** When the caller may try again, when that is known; a running export ends when it ends. */
      retryAfterMs?: number;
    };

export const HOUR_MS = 60 * 60 * 1000;

/**
 * Who may start an export now. The hour is a sliding window over the starts
 * each caller made, so a caller never gets twice its allowance by straddling
 * a clock hour. Memory is bounded by the callers who exported in the last
 * hour, each holding at most its hourly allowance of start times.
 */
export class ExportQuota {
  private readonly running = new Map<string, number>();
  private readonly starts = new Map<string, number[]>();
  private total = 0;

  constructor(private readonly limits: ExportLimits) {}

  admit(caller: string, nowMs: number): Admission {
    for (const [key, times] of this.starts) {
      const kept = times.filter((at) => at > nowMs - HOUR_MS);
      if (kept.length > 0) this.starts.set(key, kept);
      else this.starts.delete(key);
    }
    const recent = this.starts.get(caller) ?? [];

    const mine = this.running.get(caller) ?? 0;
    if (mine >= this.limits.concurrentPerCaller)
      return { admitted: false, limit: 'concurrent-per-caller', max: this.limits.concurrentPerCaller };
    if (recent.length >= this.limits.perHourPerCaller)
      return {
        admitted: false,
        limit: 'per-hour-per-caller',
        max: this.limits.perHourPerCaller,
        retryAfterMs: recent[recent.length - this.limits.perHourPerCaller] + HOUR_MS - nowMs,
      };
    if (this.total >= this.limits.concurrent)
      return { admitted: false, limit: 'concurrent', max: this.limits.concurrent };

    this.total++;
    this.running.set(caller, mine + 1);
    this.starts.set(caller, [...recent, nowMs]);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.running.get(caller) ?? 1) - 1;
        if (left > 0) this.running.set(caller, left);
        else this.running.delete(caller);
      },
    };
  }
}
