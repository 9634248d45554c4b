import type { EventStore } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';

/**
 * What a crash between an erasure's two steps leaves: its ErasureRecorded
 * appended, the values it lists still in the store. The service must finish
 * it (at start, and before the next erasure) from the record alone.
 */
export async function interruptedErasure(
  store: EventStore,
  erased: { eventId: string; pointers: string[]; systemId?: string },
): Promise<void> {
  const officer = 'dpo.dora';
  await store.append(
    'default/erasures',
    [
      {
        eventId: randomUUID(),
        type: 'ErasureRecorded',
        schemaVersion: 1,
        data: {
          erasureId: randomUUID(),
          subject: { kind: 'PERSON', digest: 'ab'.repeat(32) },
          legalBasis: 'GDPR Art 17(1)(a)',
          requestedBy: 'the data subject',
          decidedBy: officer,
          rationale: 'interrupted by a crash',
          ...(erased.systemId ? { systemId: erased.systemId } : {}),
          part: 1,
          parts: 1,
          totalEvents: 1,
          totalValues: erased.pointers.length,
          erased: [{ eventId: erased.eventId, pointers: erased.pointers }],
        },
        metadata: {
          tenantId: 'default',
          actor: { id: officer, role: 'data-protection-officer' },
          source: 'ledger-api/graphql',
          occurredAt: new Date().toISOString(),
          correlationId: randomUUID(),
          causationId: randomUUID(),
        },
      },
    ],
    'any',
  );
}
