import { parentPort } from 'node:worker_threads';
import type { ContentBatch, ContentVerdicts } from './content-checks';
import { checkedText } from './event-hashes';

/** The checking thread of ContentChecks: answers each batch with the events whose content does not match. */
parentPort!.on('message', ({ events, places }: ContentBatch) => {
  const flagged: ContentVerdicts = [];
  events.forEach((event, i) => {
    const verdict = checkedText(event);
    if (verdict.hash !== event.integrity.hash || verdict.findings.length > 0) {
      const { eventId, stream, revision, position, integrity } = event;
      flagged.push({ event: { eventId, stream, revision, position, integrity }, place: places[i], verdict });
    }
  });
  parentPort!.postMessage(flagged satisfies ContentVerdicts);
});
