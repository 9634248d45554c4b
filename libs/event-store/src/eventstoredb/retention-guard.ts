import type { StreamMetadata } from '@eventstore/db-client';
import { EventStoreError } from '../errors';
import type { EsdbClient } from './esdb-client';
import { BACKWARDS, END, isClientError } from './esdb-runtime';
import { isLedgerStream } from './streams';

/**
 * The store refuses to run because the server may lose ledger history. Its
 * code is STORE_UNAVAILABLE (the ledger cannot serve writes or reads it could
 * later be unable to prove); its message says what is set, where, and what to do.
 */
export class HistoryAtRiskError extends EventStoreError {
  constructor(message: string, details: Record<string, unknown>) {
    super('STORE_UNAVAILABLE', message, details);
    this.name = 'HistoryAtRiskError';
  }
}

const REMEDY =
  'remove it with an administrator account (set the stream metadata without $maxAge, $maxCount and $tb), check that no scavenge has run since it was set, then run `govledger verify`';

/** Which of the server's truncation settings a stream's metadata sets. Any of them lets a scavenge delete ledger events. */
export function truncationSettings(metadata: StreamMetadata | undefined): string[] {
  if (!metadata) return [];
  return [
    metadata.maxAge !== undefined && `$maxAge=${metadata.maxAge}`,
    metadata.maxCount !== undefined && `$maxCount=${metadata.maxCount}`,
    metadata.truncateBefore !== undefined && `$tb=${String(metadata.truncateBefore)}`,
  ].filter((s): s is string => typeof s === 'string');
}

export function truncationRefusal(stream: string, settings: string[]): HistoryAtRiskError {
  return new HistoryAtRiskError(
    `refusing to run: EventStoreDB stream ${stream} has ${settings.join(', ')} in its metadata, so a scavenge may delete ledger events; ${REMEDY}`,
    { stream, settings },
  );
}

export function deletedRefusal(stream: string): HistoryAtRiskError {
  return new HistoryAtRiskError(
    `refusing to run: EventStoreDB stream ${stream} has been deleted, so its events are no longer readable; the ledger never deletes, so someone did it with administrator rights. Restore the store from a backup and run \`govledger verify\``,
    { stream, settings: ['deleted'] },
  );
}

export interface RetentionGuardOptions {
  /** How many of the newest $all events name the streams checked at start. */
  sampleSize: number;
  /** Most streams remembered as checked; past it the memory starts over (each stream is then checked once more). */
  rememberStreams: number;
}

/**
 * Refuses to run over streams the server could truncate.
 *
 * What is feasible with the client: stream metadata is per stream
 * (`getStreamMetadata` reads `$$<stream>`), and there is no server-side query
 * for "every stream with $maxAge". Reading every stream's metadata at start
 * costs one read per stream (millions), so the guard checks
 * - at start, every stream among the newest `sampleSize` events of $all
 *   (the streams in active use), and
 * - before the first append to any stream in this process, that stream,
 * which together mean the adapter never appends into a stream that could lose
 * history. Streams nobody writes to any more are covered by `govledger
 * verify`, which re-derives the hash chains and the Merkle log and names the
 * first missing event; and by ACLs that deny `$mw` to the application's user
 * (docs/event-store.md), so the application's credentials cannot set truncation at all.
 */
export class RetentionGuard {
  private readonly checked = new Set<string>();

  constructor(
    private readonly client: EsdbClient,
    private readonly options: RetentionGuardOptions,
  ) {}

  async checkRecentStreams(): Promise<void> {
    const streams = new Set<string>();
    for await (const resolved of this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: BigInt(this.options.sampleSize),
    })) {
      const stream = resolved.event?.streamId;
      if (stream !== undefined && isLedgerStream(stream)) streams.add(stream);
    }
    for (const stream of streams) await this.checkStream(stream);
  }

  async checkStream(stream: string): Promise<void> {
    if (this.checked.has(stream)) return;
    let settings: string[];
    try {
      settings = truncationSettings((await this.client.getStreamMetadata(stream)).metadata);
    } catch (error) {
      if (isClientError(error, 'StreamDeletedError')) throw deletedRefusal(stream);
      throw error;
    }
    if (settings.length > 0) throw truncationRefusal(stream, settings);
    if (this.checked.size >= this.options.rememberStreams) this.checked.clear();
    this.checked.add(stream);
  }
}
