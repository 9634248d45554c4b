import { eventHashTemplate, GENESIS_HASH } from '@ledger/integrity';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Client, DatabaseError, Pool, types } from 'pg';
import { acknowledgeDuplicates } from '../duplicates';
import { concurrencyConflict } from '../errors';
import type { AppendResult, ExpectedRevision } from '../types';
import { migrateToLatest, type DialectDdl, type LedgerDb } from '../sql/schema';
import {
  SqlEventStore,
  toStoredEvent,
  type AppendOutcome,
  type AppendRequest,
  type SqlEventStoreOptions,
} from '../sql/sql-event-store';

const CHANNEL = 'ledger_appended';
/** Key of the transaction-scoped advisory lock that serialises appenders (an arbitrary constant). */
const APPEND_LOCK = 720_412_001;

/**
 * A group of appends in one statement, so one round trip and one commit. The
 * caller sends each append's stream and expected revision (-1: no stream,
 * NULL: any) and, flattened in order, its events: the columns as stored and
 * each event's hash template (see eventHashTemplate), the canonical envelope
 * with holes for the chain's two values. Under the store-wide lock the
 * function reads each stream's head, checks the expected revision, and fills
 * the holes itself: prevHash from the head, the next revision, then SHA-256 of
 * the UTF-8 text, exactly what chainEvents computes. Positions continue from
 * max(position). Each append yields its events ('ok'), the stored events that
 * share its ids ('duplicate', judged by the caller, nothing written), or the
 * stream's revision ('conflict', nothing written).
 *
 * Under READ COMMITTED each statement of a VOLATILE function takes a fresh
 * snapshot, so the reads after the lock see the previous holder's commit; the
 * lock is released only after this transaction's commit is visible. The
 * NOTIFY is delivered at commit to every listening process.
 */
const APPEND_FUNCTION = sql.raw(`
CREATE FUNCTION ledger_append(
  p_streams text[], p_expected bigint[], p_counts integer[],
  p_event_ids uuid[], p_types text[], p_schema_versions integer[], p_data text[], p_metadata text[],
  p_before_prev_hash text[], p_before_revision text[], p_after_revision text[]
) RETURNS TABLE (
  append_no integer, outcome text, out_event_id uuid, out_revision bigint, out_position bigint,
  out_prev_hash text, out_hash text, out_stream text, out_type text, out_schema_version integer,
  out_data text, out_metadata text
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_position bigint;
  head_revision bigint;
  head_hash text;
  next_event integer := 1;
  ids uuid[];
  stored boolean := false;
BEGIN
  PERFORM pg_advisory_xact_lock(${APPEND_LOCK});
  SELECT coalesce(max(e.position), 0) INTO last_position FROM events e;
  FOR a IN 1 .. cardinality(p_streams) LOOP
    append_no := a;
    ids := p_event_ids[next_event : next_event + p_counts[a] - 1];
    IF EXISTS (SELECT FROM events e WHERE e.event_id = ANY (ids)) THEN
      outcome := 'duplicate';
      FOR out_event_id, out_revision, out_position, out_prev_hash, out_hash, out_stream, out_type,
          out_schema_version, out_data, out_metadata IN
        SELECT e.event_id, e.revision, e.position, e.prev_hash, e.hash, e.stream, e.type,
               e.schema_version, e.data::text, e.metadata::text
        FROM events e WHERE e.event_id = ANY (ids)
      LOOP
        RETURN NEXT;
      END LOOP;
    ELSE
      -- No row leaves both NULL: no stream.
      SELECT e.revision, e.hash INTO head_revision, head_hash FROM events e
        WHERE e.stream = p_streams[a] ORDER BY e.revision DESC LIMIT 1;
      IF p_expected[a] IS NOT NULL AND coalesce(head_revision, -1) <> p_expected[a] THEN
        outcome := 'conflict';
        out_revision := head_revision;
        RETURN NEXT;
      ELSE
        outcome := 'ok';
        out_revision := coalesce(head_revision, -1);
        out_hash := coalesce(head_hash, '${GENESIS_HASH}');
        FOR i IN next_event .. next_event + p_counts[a] - 1 LOOP
          out_prev_hash := out_hash;
          out_revision := out_revision + 1;
          last_position := last_position + 1;
          out_position := last_position;
          out_event_id := p_event_ids[i];
          out_hash := encode(sha256(convert_to(
            p_before_prev_hash[i] || out_prev_hash || p_before_revision[i] || out_revision::text || p_after_revision[i],
            'UTF8')), 'hex');
          INSERT INTO events (position, event_id, stream, revision, type, schema_version, data, metadata, prev_hash, hash)
          VALUES (out_position, out_event_id, p_streams[a], out_revision, p_types[i], p_schema_versions[i],
                  p_data[i]::jsonb, p_metadata[i]::jsonb, out_prev_hash, out_hash);
          RETURN NEXT;
        END LOOP;
        stored := true;
      END IF;
    END IF;
    next_event := next_event + p_counts[a];
  END LOOP;
  IF stored THEN
    PERFORM pg_notify('${CHANNEL}', '');
  END IF;
END $$`);

const POSTGRES_DDL: DialectDdl = {
  types: { int64: 'bigint', json: 'jsonb', uuid: 'uuid' },
  immutabilityGuard: [
    sql`CREATE FUNCTION ledger_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the ledger is append-only: % on events is forbidden', TG_OP; END $$`,
    sql`CREATE TRIGGER events_forbid_change BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change()`,
    sql`CREATE TRIGGER events_forbid_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change()`,
  ],
  appendFunction: [APPEND_FUNCTION],
};

/** One row of ledger_append's answer; bigint columns arrive as text. */
interface AppendRow {
  append_no: number;
  outcome: 'ok' | 'duplicate' | 'conflict';
  out_event_id: string;
  out_revision: string | null;
  out_position: string;
  out_prev_hash: string;
  out_hash: string;
  out_stream: string;
  out_type: string;
  out_schema_version: number;
  out_data: string;
  out_metadata: string;
}

const expectedParameter = (expected: ExpectedRevision) =>
  expected === 'any' ? null : expected === 'no_stream' ? -1 : expected;

/**
 * SQLSTATE classes of errors that one append's own content causes (a string
 * PostgreSQL cannot store, say), as opposed to the connection or the server
 * failing. The server reported them, so the whole statement, and with it the
 * group, was rolled back and nothing of it committed.
 */
const CONTENT_ERROR_CLASSES = ['22', '23'];

/** JSON columns come back as text, as they do from SQLite, so the shared code parses one shape. */
const textJson = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.JSONB || oid === types.builtins.JSON
      ? (value: string) => value
      : types.getTypeParser(oid, format),
};

export interface PostgresEventStoreOptions extends SqlEventStoreOptions {
  poolSize?: number;
}

export class PostgresEventStore extends SqlEventStore {
  readonly kind = 'postgres';
  private listener?: Client;
  private closed = false;

  private constructor(
    db: Kysely<LedgerDb>,
    private readonly connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    super(db, options);
  }

  static async open(
    connectionString: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const pool = new Pool({ connectionString, max: options.poolSize ?? 10, types: textJson });
    // An idle connection dies when PostgreSQL restarts or an administrator ends
    // it; the pool discards it and opens a new one on demand. Unhandled, the
    // 'error' event would crash the process instead.
    pool.on('error', () => undefined);
    // A connection in use (a write transaction between two statements) has no
    // pool listener, and pg reports its death as an 'error' event that would
    // crash the process just the same. The query in flight fails instead (an
    // outage, answered 503), and the pool discards the dead client on release.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<LedgerDb>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateToLatest(db, POSTGRES_DDL);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const store = new PostgresEventStore(db, connectionString, options);
    await store.listen();
    return store;
  }

  /**
   * The group goes in one call to ledger_append: one round trip, one commit.
   * The statement runs on its own, outside any transaction block, so it is its
   * own transaction and PostgreSQL answers only after that commit is durable
   * (synchronous_commit, on by default). When one append's content makes the
   * statement fail, nothing was stored; each append is then written alone, so
   * that only the one at fault fails, as if each had its own savepoint.
   */
  protected async writeGroup(group: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    try {
      return await this.callAppend(group);
    } catch (error) {
      if (group.length === 1 || !isContentError(error)) throw error;
      const outcomes: AppendOutcome[] = [];
      for (const request of group)
        outcomes.push(
          await this.callAppend([request]).then(
            ([outcome]) => outcome,
            (failure: unknown) => ({ error: failure }),
          ),
        );
      return outcomes;
    }
  }

  private async callAppend(group: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    const columns = {
      eventIds: [] as string[],
      types: [] as string[],
      schemaVersions: [] as number[],
      data: [] as string[],
      metadata: [] as string[],
      beforePrevHash: [] as string[],
      beforeRevision: [] as string[],
      afterRevision: [] as string[],
    };
    for (const { stream, events } of group)
      for (const event of this.stamp(events)) {
        const template = eventHashTemplate(stream, event);
        columns.eventIds.push(event.eventId);
        columns.types.push(event.type);
        columns.schemaVersions.push(event.schemaVersion);
        columns.data.push(JSON.stringify(event.data));
        columns.metadata.push(JSON.stringify(event.metadata));
        columns.beforePrevHash.push(template.beforePrevHash);
        columns.beforeRevision.push(template.beforeRevision);
        columns.afterRevision.push(template.afterRevision);
      }
    const { rows } = await sql<AppendRow>`SELECT * FROM ledger_append(
      ${group.map((r) => r.stream)}::text[], ${group.map((r) => expectedParameter(r.expectedRevision))}::bigint[],
      ${group.map((r) => r.events.length)}::integer[], ${columns.eventIds}::uuid[], ${columns.types}::text[],
      ${columns.schemaVersions}::integer[], ${columns.data}::text[], ${columns.metadata}::text[],
      ${columns.beforePrevHash}::text[], ${columns.beforeRevision}::text[], ${columns.afterRevision}::text[])`.execute(
      this.db,
    );
    const byAppend = group.map((): AppendRow[] => []);
    for (const row of rows) byAppend[row.append_no - 1].push(row);
    return group.map((request, i) => {
      try {
        return { result: appendResult(request, byAppend[i]) };
      } catch (error) {
        return { error };
      }
    });
  }

  /** Live wake-ups from other processes. Best effort: subscriptions still poll, so a lost listener only adds latency. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.connectionString });
    client.on('notification', () => this.notifier.notify());
    client.on('error', () => {
      client.end().catch(() => undefined);
      if (this.listener === client) this.listener = undefined;
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
    } catch {
      await client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    }
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.db.destroy();
  }
}

function isContentError(error: unknown): boolean {
  return error instanceof DatabaseError && CONTENT_ERROR_CLASSES.includes(error.code?.slice(0, 2) ?? '');
}

/** What one append came to, from its rows of ledger_append's answer; throws the error its caller gets. */
function appendResult({ stream, events, expectedRevision }: AppendRequest, rows: AppendRow[]): AppendResult {
  const outcome = rows[0]?.outcome;
  if (outcome === 'conflict')
    throw concurrencyConflict(
      stream,
      expectedRevision,
      rows[0].out_revision === null ? null : Number(rows[0].out_revision),
    );
  if (outcome === 'duplicate')
    return acknowledgeDuplicates(
      stream,
      events,
      rows.map((row) =>
        toStoredEvent({
          position: row.out_position,
          event_id: row.out_event_id,
          stream: row.out_stream,
          revision: row.out_revision!,
          type: row.out_type,
          schema_version: row.out_schema_version,
          data: row.out_data,
          metadata: row.out_metadata,
          prev_hash: row.out_prev_hash,
          hash: row.out_hash,
        }),
      ),
    );
  if (outcome !== 'ok' || rows.length !== events.length)
    throw new Error(
      `ledger_append answered ${rows.length} rows (${outcome}) for an append of ${events.length} events`,
    );
  const appended = rows.map((row) => ({
    eventId: row.out_event_id,
    revision: Number(row.out_revision),
    position: BigInt(row.out_position),
    hash: row.out_hash,
  }));
  return { duplicate: false, events: appended, nextExpectedRevision: appended[appended.length - 1].revision };
}
