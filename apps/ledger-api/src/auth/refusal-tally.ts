/** One refused request, as the self-audit counts it: who (a principal, or an address without one), what, and why. */
export interface Refusal {
  tenantId: string;
  principal?: string;
  role?: string;
  address?: string;
  operation: string;
  reason: string;
  status: number;
}

export interface RefusalCount extends Refusal {
  count: number;
  firstAt: number;
  lastAt: number;
}

export const MINUTE_MS = 60_000;

/**
 * The refusals of one minute, counted per tenant, caller, operation, status
 * and reason. At most `maxCallers` distinct tallies are kept: a flood from
 * many addresses, or of ever-different reasons, folds into one tally per
 * tenant and status, so the memory a flood can take is bounded and every
 * refusal is still counted.
 */
export class RefusalTally {
  private readonly counts = new Map<string, RefusalCount>();

  constructor(
    readonly minute: number,
    private readonly maxCallers: number,
  ) {}

  static minuteOf(at: number): number {
    return Math.floor(at / MINUTE_MS);
  }

  add(refusal: Refusal, at: number): void {
    const { tenantId, principal, role, address, operation, status, reason } = refusal;
    let key = JSON.stringify([tenantId, principal, role, address, operation, status, reason]);
    let counted = refusal;
    if (!this.counts.has(key) && this.counts.size >= this.maxCallers) {
      key = JSON.stringify([tenantId, status]);
      counted = {
        tenantId,
        operation: 'any operation',
        reason: `refused callers beyond the ${this.maxCallers} tallied separately this minute`,
        status,
      };
    }
    const entry = this.counts.get(key);
    if (entry) {
      entry.count += 1;
      entry.lastAt = at;
    } else this.counts.set(key, { ...counted, count: 1, firstAt: at, lastAt: at });
  }

  get size(): number {
    return this.counts.size;
  }

  entries(): RefusalCount[] {
    return [...this.counts.values()];
  }
}
