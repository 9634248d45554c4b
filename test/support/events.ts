import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@ledger/event-store';

/** A well-formed event for store-level tests; the domain's own types come from @ledger/domain. */
export function newEvent(data: Record<string, unknown> = {}, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'TestRecorded',
    schemaVersion: 1,
    data,
    metadata: {
      tenantId: 'tenant-a',
      actor: { id: 'svc.tests', role: 'emitter' },
      source: 'conformance-suite',
      occurredAt: '2026-03-14T09:00:00.000Z',
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
    ...overrides,
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** A subscription's pages as one event after another, stopping at the first event after `signal` aborts. */
export async function* eventsOf<T>(
  pages: AsyncIterable<readonly T[]>,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  for await (const page of pages)
    for (const event of page) {
      if (signal?.aborted) return;
      yield event;
    }
}
