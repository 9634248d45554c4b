import type { WitnessPublisher } from '@ledger/transparency-log';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Witness health on /metrics, read from the publisher at scrape time like the
 * projection lags. Every configured witness has its series from the start, at
 * zero, so an alert on them has something to evaluate before the first failure.
 */
export function registerWitnessMetrics(registry: Registry, witnesses: WitnessPublisher): void {
  new Counter({
    name: 'ledger_witness_failures_total',
    help:
      'Failed hand-overs of a checkpoint to a witness: reason="unreachable" is retried (no connection, ' +
      'timeout, non-2xx answer, file error); reason="conflict" means the witness holds a contradicting checkpoint',
    labelNames: ['witness', 'reason'] as const,
    registers: [registry],
    collect() {
      // The publisher keeps the totals; the counter mirrors them (a counter has no set()).
      this.reset();
      for (const s of witnesses.status()) {
        this.inc({ witness: s.witness, reason: 'unreachable' }, s.unreachable);
        this.inc({ witness: s.witness, reason: 'conflict' }, s.conflicts);
      }
    },
  });
  new Gauge({
    name: 'ledger_witness_queue_checkpoints',
    help: 'Signed checkpoints waiting to be sent to a witness',
    labelNames: ['witness'] as const,
    registers: [registry],
    collect() {
      for (const s of witnesses.status()) this.set({ witness: s.witness }, s.queued);
    },
  });
}
