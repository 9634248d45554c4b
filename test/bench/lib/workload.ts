import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@ledger/event-store';

/** The emitter every benchmark event comes from, and so the one stream they share. */
export const EMITTER = 'ehr-gateway';
export const STREAM = `default/data-access-${EMITTER}`;

const PSEUDONYMS = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(64, 'a'));

/**
 * One DataAccessed event as the ingest edge hands it to the store: the most
 * frequent event the ledger records, with a patient already pseudonymised.
 * Every subject of a comparison appends these same events.
 */
export function accessEvent(n: number): NewEvent {
  const eventId = randomUUID();
  return {
    eventId,
    type: 'DataAccessed',
    schemaVersion: 1,
    data: {
      actor: `dr.${n % 7}`,
      datasetId: 'icu-vitals',
      patientPseudonym: PSEUDONYMS[n % PSEUDONYMS.length],
      action: 'R',
      purposeOfUse: 'TREAT',
      outcome: 'success',
      sourceService: EMITTER,
    },
    metadata: {
      tenantId: 'default',
      actor: { id: EMITTER, role: 'emitter' },
      source: EMITTER,
      occurredAt: '2026-03-14T09:00:00Z',
      correlationId: eventId,
      causationId: eventId,
      purposeOfUse: 'TREAT',
    },
  };
}

export function accessBatch(size: number, from: number): NewEvent[] {
  return Array.from({ length: size }, (_, i) => accessEvent(from + i));
}

/** One item of a POST /v1/events batch, as an emitting service sends it: the raw patient id, pseudonymised by the ledger. */
export function ingestItem(n: number): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    type: 'DataAccessed',
    occurredAt: '2026-03-14T09:00:00Z',
    purposeOfUse: 'TREAT',
    data: {
      actor: `dr.${n % 7}`,
      datasetId: 'icu-vitals',
      patientId: `MRN-${n % 5000}`,
      action: 'R',
      purposeOfUse: 'TREAT',
      outcome: 'success',
    },
  };
}

/**
 * Runs `step` back to back for `ms` milliseconds; `step` resolves with the
 * number of events it made durable.
 */
export async function runFor(
  step: () => Promise<number>,
  ms: number,
): Promise<{ events: number; seconds: number }> {
  const start = performance.now();
  const end = start + ms;
  let events = 0;
  while (performance.now() < end) events += await step();
  return { events, seconds: (performance.now() - start) / 1000 };
}
