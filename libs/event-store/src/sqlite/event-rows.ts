import Database from 'better-sqlite3';
import type { EventHeader, UnparsedEvent } from '../types';
import { limitPageCache } from './page-cache';

type UnparsedRow = [
  number,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
  string,
  number,
  string | null,
];

type HeaderRow = [number, string, string, number, string, string, number];

/** Every events column, and the values kept beside the event: the shape toStoredEvent reads. */
export const EVENT_COLUMNS = `e.position, e.event_id, e.stream, e.revision, e.type, e.schema_version, e.data, e.metadata,
  e.prev_hash, e.hash, e.hash_scheme, v.erasable`;
export const EVENTS_WITH_VALUES =
  'events e LEFT JOIN event_values v ON v.position = e.position AND v.event_id = e.event_id';
const CONTENT = `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_WITH_VALUES}`;

/**
 * A SQLite store's events as stored, through prepared statements returning
 * rows as arrays: about half the CPU of the query builder's page of named
 * rows. Verify reads every event through it, on the store's connection or on
 * a read-only one of its own, which another thread can open too: WAL lets
 * readers run beside each other and beside the writer, and an append-only
 * log holds the same rows at the same positions for each of them.
 */
export class SqliteEventRows {
  private readonly pageAfter: Database.Statement<[number, number], UnparsedRow>;
  private readonly between: Database.Statement<[number, number], UnparsedRow>;
  private readonly headersAfter: Database.Statement<[number, number], HeaderRow>;

  /** Read-only on the store's file, for a reader beside the store (another thread, or the walk's own connection). */
  static openReadOnly(file: string): SqliteEventRows {
    const database = new Database(file, { readonly: true, fileMustExist: true });
    limitPageCache(database, 'single-pass');
    return new SqliteEventRows(database, () => database.close());
  }

  constructor(
    database: Database.Database,
    private readonly closeDatabase?: () => void,
  ) {
    this.pageAfter = database
      .prepare<[number, number], UnparsedRow>(`${CONTENT} WHERE e.position > ? ORDER BY e.position LIMIT ?`)
      .raw();
    this.between = database
      .prepare<[number, number], UnparsedRow>(
        `${CONTENT} WHERE e.position > ? AND e.position <= ? ORDER BY e.position`,
      )
      .raw();
    this.headersAfter = database
      .prepare<[number, number], HeaderRow>(
        `SELECT position, event_id, stream, revision, prev_hash, hash, hash_scheme
         FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      )
      .raw();
  }

  /** Up to `limit` events after position `after`, their content as stored. */
  page(after: number, limit: number): UnparsedEvent[] {
    return this.pageAfter.all(after, limit).map(unparsedEvent);
  }

  /** The events after position `after` up to `until`: a page another reader read, read again for its content. */
  range(after: number, until: number): UnparsedEvent[] {
    return this.between.all(after, until).map(unparsedEvent);
  }

  /** Up to `limit` events after position `after`, without their content. */
  headers(after: number, limit: number): EventHeader[] {
    return this.headersAfter
      .all(after, limit)
      .map(([position, eventId, stream, revision, prevHash, hash, hashScheme]) => ({
        eventId,
        stream,
        revision,
        position: BigInt(position),
        integrity: hashScheme === 2 ? { prevHash, hash, hashScheme } : { prevHash, hash },
      }));
  }

  close(): void {
    this.closeDatabase?.();
  }
}

/**
 * This module, for a thread that reads rows and nothing else of the store:
 * required by its path, it loads better-sqlite3 alone, not the store's whole
 * surface (Kysely and the drivers, about 400 modules and a quarter of a
 * second of CPU per thread).
 */
export const SQLITE_EVENT_ROWS_MODULE = __filename;

function unparsedEvent([
  position,
  eventId,
  stream,
  revision,
  type,
  schemaVersion,
  data,
  metadata,
  prevHash,
  hash,
  hashScheme,
  erasable,
]: UnparsedRow): UnparsedEvent {
  return {
    eventId,
    type,
    schemaVersion,
    stream,
    revision,
    position: BigInt(position),
    dataJson: data,
    metadataJson: metadata,
    ...(hashScheme === 2
      ? { integrity: { prevHash, hash, hashScheme }, valuesJson: erasable ?? null }
      : { integrity: { prevHash, hash } }),
  };
}
