import { parentPort } from 'node:worker_threads';
import { checkEventLines, type EventLinesBatch, type EventScope } from './event-lines';

/** A checking thread of EventLineThreads: the scope first, then a verdict for each batch, or why it could not be checked. */
let scope: EventScope | undefined;

parentPort!.on('message', (message: { scope: EventScope } | EventLinesBatch) => {
  if ('scope' in message) {
    scope = message.scope;
    return;
  }
  try {
    const verdict = checkEventLines(message, scope!);
    parentPort!.postMessage(verdict, [
      verdict.bytes.buffer as ArrayBuffer,
      verdict.positions.buffer as ArrayBuffer,
      verdict.leafIndices.buffer as ArrayBuffer,
      verdict.leafHashes.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    parentPort!.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
