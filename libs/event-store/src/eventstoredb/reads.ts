import type { RecordedEvent, StreamingRead } from '@eventstore/db-client';
import type { EsdbClient } from './esdb-client';
import { BACKWARDS, END, FORWARDS, isClientError } from './esdb-runtime';
import { deletedRefusal } from './retention-guard';

/**
 * Every event of a bounded read, stopping the server-side call however the
 * loop ends: leaving a `for await` early destroys the Readable, but only
 * `cancel()` ends the gRPC call behind it.
 */
export async function* eventsOf(read: StreamingRead<{ event?: unknown }>): AsyncGenerator<RecordedEvent> {
  let finished = false;
  try {
    for await (const resolved of read) if (resolved.event) yield resolved.event as RecordedEvent;
    finished = true;
  } finally {
    if (!finished) await read.cancel().catch(() => undefined);
  }
}

/** One stream read; a stream that does not exist reads as empty, one that was deleted stops the ledger. */
export async function* readStreamEvents(
  client: EsdbClient,
  stream: string,
  options: Parameters<EsdbClient['readStream']>[1],
): AsyncGenerator<RecordedEvent> {
  try {
    yield* eventsOf(client.readStream(stream, options));
  } catch (error) {
    if (isClientError(error, 'StreamNotFoundError')) return;
    if (isClientError(error, 'StreamDeletedError')) throw deletedRefusal(stream);
    throw error;
  }
}

export async function readLast(client: EsdbClient, stream: string): Promise<RecordedEvent | undefined> {
  for await (const event of readStreamEvents(client, stream, {
    direction: BACKWARDS,
    fromRevision: END,
    maxCount: 1n,
  }))
    return event;
  return undefined;
}

/** The event at exactly this revision, if the stream has reached it. */
export async function readAt(
  client: EsdbClient,
  stream: string,
  revision: number,
): Promise<RecordedEvent | undefined> {
  for await (const event of readStreamEvents(client, stream, {
    direction: FORWARDS,
    fromRevision: BigInt(revision),
    maxCount: 1n,
  }))
    return event.revision === BigInt(revision) ? event : undefined;
  return undefined;
}
