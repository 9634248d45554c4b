import type { CheckpointTimestamper } from '@ledger/transparency-log';
import { Counter, type Registry } from 'prom-client';

/** Trusted time on /metrics, read from the timestamper at scrape time; only when LEDGER_TSA_URL is set. */
export function registerTimestampMetrics(registry: Registry, timestamps: CheckpointTimestamper): void {
  new Counter({
    name: 'ledger_timestamp_requests_total',
    help:
      'Requests to the RFC 3161 timestamp authority (LEDGER_TSA_URL): result="stamped" stored a token for a checkpoint; ' +
      'result="failed" (no connection, timeout, refusal, a reply that does not verify) is retried with backoff',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      // The timestamper keeps the totals; the counter mirrors them (a counter has no set()).
      this.reset();
      const { stamped, failures } = timestamps.status();
      this.inc({ result: 'stamped' }, stamped);
      this.inc({ result: 'failed' }, failures);
    },
  });
}
