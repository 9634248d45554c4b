import type {
  JSONEventData,
  JSONType,
  ReadPosition,
  RecordedEvent,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { concurrencyConflict, type EventStoreError } from '../errors';
import type { EventMetadata, ExpectedRevision, Integrity, NewEvent, StoredEvent } from '../types';
import { NO_STREAM, START } from './esdb-runtime';

/**
 * The envelope fields EventStoreDB has no slot of its own for, kept in the
 * event's metadata JSON. `eventId`, `type`, `stream`, `revision` and
 * `position` are the server's own (event id, event type, stream, stream
 * revision, $all commit position), so they cannot disagree with it.
 */
export interface EsdbEnvelope {
  schemaVersion: number;
  metadata: EventMetadata;
  integrity: Integrity;
}

export function toEventData(event: NewEvent, metadata: EventMetadata, integrity: Integrity): JSONEventData {
  const envelope: EsdbEnvelope = { schemaVersion: event.schemaVersion, metadata, integrity };
  return {
    id: event.eventId,
    contentType: 'application/json',
    type: event.type,
    data: event.data as JSONType,
    metadata: envelope as unknown as JSONType,
  };
}

function isEnvelope(value: unknown): value is EsdbEnvelope {
  const v = value as Partial<EsdbEnvelope> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(v.schemaVersion) &&
    typeof v.metadata === 'object' &&
    v.metadata !== null &&
    typeof v.integrity?.prevHash === 'string' &&
    typeof v.integrity.hash === 'string'
  );
}

/**
 * The $all commit position, the ledger's global order. Each event the gRPC API
 * appends is committed by its own prepare record, so its commit position is
 * its own log position: unique and increasing across $all, and equal to its
 * prepare position (which is why a bigint alone is enough to resume from).
 */
export function commitPositionOf(event: RecordedEvent): bigint {
  if (!event.position)
    throw new Error(
      `EventStoreDB returned event ${event.id} of stream ${event.streamId} without its $all position; the ledger needs EventStoreDB 22.10 or later (or KurrentDB), which report it on every read`,
    );
  return event.position.commit;
}

/** Reads and subscriptions resume from a stored position: commit and prepare are the same number for every event the ledger writes. */
export function readPositionAt(position: bigint): ReadPosition {
  return position === 0n ? START : { commit: position, prepare: position };
}

export function revisionOf(event: RecordedEvent): number {
  const revision = Number(event.revision);
  if (!Number.isSafeInteger(revision))
    throw new Error(
      `stream ${event.streamId} has revision ${event.revision}, beyond what the ledger's port can carry`,
    );
  return revision;
}

export function toStoredEvent(event: RecordedEvent): StoredEvent {
  const envelope = event.metadata;
  if (!event.isJson || !isEnvelope(envelope))
    throw new Error(
      `event ${event.id} of stream ${event.streamId} (type ${event.type}) is not a ledger event: its metadata holds no ledger envelope. The ledger's EventStoreDB must hold only what the ledger wrote; run \`govledger verify\``,
    );
  return {
    eventId: event.id,
    type: event.type,
    schemaVersion: envelope.schemaVersion,
    stream: event.streamId,
    revision: revisionOf(event),
    position: commitPositionOf(event),
    data: event.data,
    metadata: envelope.metadata,
    integrity: envelope.integrity,
  };
}

/**
 * What is sent as the append's expected revision, given what the caller
 * expected and the stream's last revision as read just before. `'any'` is
 * never sent as ANY: the hash chain needs the event the append follows, so an
 * `'any'` append is pinned to the revision whose hash it chained to, and a
 * concurrent writer makes it fail (and retry) instead of forking the chain.
 */
export function expectedRevisionToSend(
  expected: ExpectedRevision,
  lastRevision: number | null,
): typeof NO_STREAM | bigint {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return lastRevision === null ? NO_STREAM : BigInt(lastRevision);
  return BigInt(expected);
}

/** The server's WrongExpectedVersion, in the ledger's words: the same CONCURRENCY_CONFLICT the SQL stores raise. */
export function conflictFromWrongExpectedVersion(
  error: WrongExpectedVersionError,
  stream: string,
  expected: ExpectedRevision,
): EventStoreError {
  const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : null;
  return concurrencyConflict(stream, expected, actual);
}
