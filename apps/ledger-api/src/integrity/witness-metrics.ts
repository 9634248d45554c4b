import type { MerkleLog } from '@ledger/transparency-log';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Witness health on /metrics, read from the publishers at scrape time like the
 * projection lags. Every configured witness has its series from the start, at
 * zero, so an alert on them has something to evaluate before the first failure.
 */
export function registerWitnessMetrics(registry: Registry, log: MerkleLog): void {
  const statuses = () => [...log.witnesses.status(), ...log.cosigners.map((c) => c.status())];
  new Counter({
    name: 'ledger_witness_failures_total',
    help:
      'Failed hand-overs of a checkpoint to a witness: reason="unreachable" is retried (no connection, ' +
      'timeout, non-2xx answer, file error); reason="refused" is a cosigning witness answering 400, 403 or 404 ' +
      '(retried, but the configuration must be fixed); reason="conflict" means the witness holds a contradicting checkpoint',
    labelNames: ['witness', 'reason'] as const,
    registers: [registry],
    collect() {
      // The publishers keep the totals; the counter mirrors them (a counter has no set()).
      this.reset();
      for (const s of statuses()) {
        this.inc({ witness: s.witness, reason: 'unreachable' }, s.unreachable);
        this.inc({ witness: s.witness, reason: 'conflict' }, s.conflicts);
      }
      for (const c of log.cosigners) {
        const s = c.status();
        this.inc({ witness: s.witness, reason: 'refused' }, s.refused);
      }
    },
  });
  new Gauge({
    name: 'ledger_witness_queue_checkpoints',
    help: 'Signed checkpoints waiting to be sent to a witness (for a cosigning witness: 1 while the latest is not cosigned)',
    labelNames: ['witness'] as const,
    registers: [registry],
    collect() {
      for (const s of statuses()) this.set({ witness: s.witness }, s.queued);
    },
  });
  new Gauge({
    name: 'ledger_witness_conflict',
    help:
      '1 while a cosigning witness holds a checkpoint this log cannot be consistent with (WITNESS_CONFLICT: ' +
      'a database rollback or a fork); only an investigation and a restart clear it',
    labelNames: ['witness'] as const,
    registers: [registry],
    collect() {
      for (const c of log.cosigners) {
        const s = c.status();
        this.set({ witness: s.witness }, s.conflict ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'ledger_witness_cosigned_tree_size',
    help: 'The largest tree size a cosigning witness has cosigned',
    labelNames: ['witness'] as const,
    registers: [registry],
    collect() {
      for (const c of log.cosigners) {
        const s = c.status();
        this.set({ witness: s.witness }, s.cosignedSize);
      }
    },
  });
}
