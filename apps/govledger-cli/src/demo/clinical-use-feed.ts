import { randomUUID } from 'node:crypto';
import { CliError } from '../cli-context';
import type { LedgerClient } from './ledger-client';
import type { ClinicalUseItem } from './sepsis-clinical-use';

const BATCH = 1000;

/**
 * Sends clinical use to POST /v1/events as the scoring service does, in the
 * order it happened, a batch at a time. The patient id goes in raw: the
 * ledger keeps only its keyed pseudonym. Event ids are random, so seeding a
 * second tenant never meets the first one's ids as duplicates.
 */
export async function sendClinicalUse(
  client: LedgerClient,
  service: string,
  items: readonly ClinicalUseItem[],
  onProgress: (sent: number) => void,
): Promise<void> {
  for (let from = 0; from < items.length; from += BATCH) {
    const batch = items.slice(from, from + BATCH).map(({ type, occurredAt, data }) => ({
      eventId: randomUUID(),
      type,
      occurredAt,
      data,
    }));
    await client.ingest(batch, service);
    onProgress(from + batch.length);
  }
}

export interface LedgerSignal {
  metric: string;
  subgroup: string | null;
  value: number;
  observedAt: string;
  breached: boolean;
  eventId: string;
}

/**
 * Waits for the ledger's monitoring worker to compute the system's planned
 * metrics from the clinical use just sent, until `done` holds for what it has
 * computed: the demo's rollback rests on the breach the ledger finds itself.
 */
export async function awaitComputedSignals(
  client: LedgerClient,
  systemId: string,
  done: (signals: LedgerSignal[]) => boolean,
  options: { timeoutMs: number; pollMs: number; auditor: string; onWait: (computed: number) => void },
): Promise<LedgerSignal[]> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const { aiSystem } = await client.query<{ aiSystem: { signals: LedgerSignal[] } | null }>(
      'query Signals($id: ID!) { aiSystem(id: $id) { signals { metric subgroup value observedAt breached eventId } } }',
      { id: systemId },
      options.auditor,
    );
    const signals = aiSystem?.signals ?? [];
    if (done(signals)) return signals;
    options.onWait(signals.length);
    if (Date.now() > deadline)
      throw new CliError(
        `the ledger computed ${signals.length} monitoring signals for ${systemId} in ${options.timeoutMs / 1000} s but not the breach its clinical use shows; is the service's monitoring worker running?`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
