import type { SqliteEventRows } from '@ledger/event-store';
import { parentPort, workerData } from 'node:worker_threads';
import type { ContentBatch, ContentVerdicts } from './content-checks';
import { checkedText } from './event-hashes';

/** A checking thread of ContentChecks: answers each batch with the events whose content does not match. */
const { sqliteFile, rowsModule } = workerData as { sqliteFile?: string; rowsModule: string };
// By its path (see SQLITE_EVENT_ROWS_MODULE): the rows' reader alone, not the event store's whole surface.
const rows =
  sqliteFile === undefined
    ? undefined
    : // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require(rowsModule) as { SqliteEventRows: typeof SqliteEventRows }).SqliteEventRows.openReadOnly(
        sqliteFile,
      );

parentPort!.on('message', (batch: ContentBatch) => {
  const events = 'range' in batch ? rows!.range(batch.range.after, batch.range.until) : batch.events;
  const flagged: ContentVerdicts['flagged'] = [];
  for (const event of events) {
    const verdict = checkedText(event);
    if (verdict.hash !== event.integrity.hash || verdict.findings.length > 0) {
      const { eventId, stream, revision, position, integrity } = event;
      flagged.push({ event: { eventId, stream, revision, position, integrity }, verdict });
    }
  }
  parentPort!.postMessage({ id: batch.id, checked: events.length, flagged } satisfies ContentVerdicts);
});
