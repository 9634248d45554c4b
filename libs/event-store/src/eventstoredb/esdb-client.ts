import type { EventStoreDBClient } from '@eventstore/db-client';

/**
 * The part of `@eventstore/db-client` the adapter uses: its whole boundary with
 * the server, and what the unit tests fake. It deliberately leaves out
 * `deleteStream`, `tombstoneStream` and `setStreamMetadata`, so no code behind
 * this type can remove events or set truncation (`$maxAge`, `$maxCount`, `$tb`).
 */
export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'getStreamMetadata' | 'dispose'
>;
