import { recordEvidenceExport, streamNames, tenantStream } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import type { ExportedBundle } from './export-bundle';

export interface ExportRecord {
  tenantId: string;
  actor: { id: string; role: string; onBehalfOf?: string };
  /** The service or tool that made the export: ledger-api/graphql, govledger-cli. */
  source: string;
  correlationId: string;
  recipient?: string;
}

/**
 * Records an export once its bundle is complete, naming the exact manifest
 * handed over. The CLI and the API both call this, so every export is in the
 * ledger however it was made.
 */
export async function recordExport(
  store: EventStore,
  bundle: ExportedBundle,
  record: ExportRecord,
): Promise<void> {
  const { manifest } = bundle;
  const event = recordEvidenceExport({
    systemId: manifest.scope.systemId,
    exportId: bundle.exportId,
    ...(manifest.scope.from ? { from: manifest.scope.from } : {}),
    ...(manifest.scope.to ? { to: manifest.scope.to } : {}),
    ...(manifest.sinceCheckpoint ? { sinceTreeSize: manifest.sinceCheckpoint.treeSize } : {}),
    treeSize: manifest.checkpoint.treeSize,
    eventCount: manifest.counts.events,
    manifestSha256: bundle.manifestSha256,
    exportedBy: record.actor.id,
    ...(record.recipient ? { recipient: record.recipient } : {}),
  });
  await store.append(
    tenantStream(record.tenantId, streamNames.evidenceExports(manifest.scope.systemId)),
    [
      {
        eventId: randomUUID(),
        type: event.type,
        schemaVersion: 1,
        data: event.data,
        metadata: {
          tenantId: record.tenantId,
          actor: {
            id: record.actor.id,
            role: record.actor.role,
            ...(record.actor.onBehalfOf ? { onBehalfOf: record.actor.onBehalfOf } : {}),
          },
          source: record.source,
          occurredAt: manifest.createdAt,
          correlationId: record.correlationId,
          causationId: bundle.exportId,
        },
      },
    ],
    'any',
  );
}
