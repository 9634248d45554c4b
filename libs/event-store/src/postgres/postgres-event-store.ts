import { canonicalJson, GENESIS_HASH, templateOfCanonical } from '@ledger/integrity';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Client, Pool, types } from 'pg';
import { acknowledgeDuplicates } from '../duplicates';
import { concurrencyConflict } from '../errors';
import { openStored } from '../sealing';
import { pg } from './pg-runtime';
import type { AppendResult, ExpectedRevision, StoredEvent, SubscribeOptions } from '../types';
import { migrateToLatest, type DialectDdl, type LedgerDb } from '../sql/schema';
import {
  SqlEventStore,
  type AppendOutcome,
  type AppendRequest,
  type SqlEventStoreOptions,
} from '../sql/sql-event-store';

const CHANNEL = 'ledger_appended';
/** Key of the transaction-scoped advisory lock that serialises appenders (an arbitrary constant). */
const APPEND_LOCK = 720_412_001;

/**
 * A group of appends in one statement, so one round trip and one commit. The
 * caller sends each append's stream, expected revision (-1: no stream, NULL:
 * any) and event count, and, for all the group's events in order, the columns
 * as stored and each event's hash template (see templateOfCanonical): the
 * canonical envelope with holes for the chain's two values. Under the
 * store-wide lock the function reads the last position, the group's stored
 * ids and its streams' heads (one statement, however many appends), checks
 * each append's expected revision, and fills the holes itself: prevHash from
 * the head, the next revision, then SHA-256 of the UTF-8 text, exactly what
 * chainEvents computes. Positions continue from max(position); one INSERT
 * writes every row the group takes. Each append yields one row: 'ok' with
 * its first revision and position and its events' hashes; 'duplicate' with
 * the stored events that share its ids, judged by the caller, nothing
 * written; or 'conflict' with the stream's revision, nothing written.
 *
 * The event columns arrive as texts joined by U+001E, a character JSON text
 * never holds raw (JSON.stringify escapes every control character), nor do
 * UUIDs and type names: splitting them is all the parsing the server does
 * beyond the stored JSON columns, and nothing is escaped on either side.
 *
 * Under READ COMMITTED each statement of a VOLATILE function takes a fresh
 * snapshot, so the reads after the lock see the previous holder's commit; the
 * lock is released only after this transaction's commit is visible. The
 * NOTIFY is delivered at commit to every listening process.
 */
/*
 * Version 2 (migration 0004) also takes each event's hash scheme and the
 * erasable values kept beside it (JSON text, or `null` for none), and
 * writes them in the same statement, so an event is never stored without
 * its values. Version 1 is what migrations 0002 and 0003 created.
 */
/*
 * Version 3 (migration 0005) takes the same arguments as version 2 and keeps
 * the values keyed by their event's position (see EventValuesTable).
 */
const appendFunction = (version: 1 | 2 | 3) => `
CREATE FUNCTION ledger_append(
  p_streams text[], p_expected bigint[], p_counts integer[], p_schema_versions integer[],
  p_event_ids text, p_types text, p_data text, p_metadata text,
  p_before_prev_hash text, p_before_revision text, p_after_revision text${
    version >= 2 ? ',\n  p_hash_schemes integer[], p_values text' : ''
  }
) RETURNS TABLE (append_no integer, outcome text, first_revision bigint, first_position bigint, hashes text[], existing json)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_event_ids uuid[] := string_to_array(p_event_ids, E'\\x1e')::uuid[];
  v_types text[] := string_to_array(p_types, E'\\x1e');
  v_data text[] := string_to_array(p_data, E'\\x1e');
  v_metadata text[] := string_to_array(p_metadata, E'\\x1e');
  v_before_prev_hash text[] := string_to_array(p_before_prev_hash, E'\\x1e');
  v_before_revision text[] := string_to_array(p_before_revision, E'\\x1e');
  v_after_revision text[] := string_to_array(p_after_revision, E'\\x1e');${
    version >= 2 ? "\n  v_values text[] := string_to_array(p_values, E'\\x1e', 'null');" : ''
  }
  total integer := cardinality(v_event_ids);
  first_event integer := 1;
  n integer;
  k integer;
  ids uuid[];
  last_position bigint;
  -- Every stream's head, read once for the group and moved on as its appends are taken.
  head_streams text[];
  head_revisions bigint[];
  head_hashes text[];
  -- Ids of the group that are stored already, and of those it is taking.
  stored_ids uuid[];
  taken_ids uuid[] := '{}';
  -- The rows taken, written by one INSERT.
  row_events integer[] := '{}';
  row_streams text[] := '{}';
  row_revisions bigint[] := '{}';
  row_prev_hashes text[] := '{}';
  row_hashes text[] := '{}';
  head_hash text;
BEGIN
  IF cardinality(v_types) <> total OR cardinality(p_schema_versions) <> total OR cardinality(v_data) <> total
    OR cardinality(v_metadata) <> total OR cardinality(v_before_prev_hash) <> total
    OR cardinality(v_before_revision) <> total OR cardinality(v_after_revision) <> total${
      version >= 2 ? '\n    OR cardinality(p_hash_schemes) <> total OR cardinality(v_values) <> total' : ''
    } THEN
    RAISE EXCEPTION 'ledger_append: the event columns do not hold % events each', total;
  END IF;
  PERFORM pg_advisory_xact_lock(${APPEND_LOCK});
  -- Everything the group must know, in one statement after the lock. No row leaves a head NULL: no stream.
  SELECT (SELECT coalesce(max(e.position), 0) FROM events e),
         ARRAY(SELECT e.event_id FROM events e WHERE e.event_id = ANY (v_event_ids)),
         heads.streams, heads.revisions, heads.hashes
    INTO last_position, stored_ids, head_streams, head_revisions, head_hashes
    FROM (SELECT array_agg(s.stream) AS streams, array_agg(h.revision) AS revisions, array_agg(h.hash) AS hashes
          FROM (SELECT DISTINCT unnest(p_streams) AS stream) s
          LEFT JOIN LATERAL (SELECT e.revision, e.hash FROM events e
                             WHERE e.stream = s.stream ORDER BY e.revision DESC LIMIT 1) h ON true) heads;
  FOR a IN 1 .. cardinality(p_streams) LOOP
    append_no := a;
    n := p_counts[a];
    ids := v_event_ids[first_event : first_event + n - 1];
    first_revision := NULL;
    first_position := NULL;
    hashes := NULL;
    existing := NULL;
    k := array_position(head_streams, p_streams[a]);
    IF ids && stored_ids OR ids && taken_ids THEN
      -- A resend: what is stored under its ids (the group's own rows too) is returned for the caller to judge.
      outcome := 'duplicate';
      SELECT json_agg(d) INTO existing FROM (
        SELECT json_build_object(
            'eventId', e.event_id, 'type', e.type, 'schemaVersion', e.schema_version, 'stream', e.stream,
            'revision', e.revision, 'position', e.position::text, 'data', e.data, 'metadata', e.metadata,
            'integrity', json_build_object('prevHash', e.prev_hash, 'hash', e.hash)${
              version >= 2
                ? `,\n            'hashScheme', e.hash_scheme,\n            'erasable', (SELECT v.erasable::json FROM event_values v WHERE ${
                    version === 3 ? 'v.position = e.position AND ' : ''
                  }v.event_id = e.event_id)`
                : ''
            }) AS d
          FROM events e WHERE e.event_id = ANY (ids)
        UNION ALL
        SELECT json_build_object(
            'eventId', v_event_ids[r.event], 'type', v_types[r.event], 'schemaVersion', p_schema_versions[r.event],
            'stream', r.stream, 'revision', r.revision, 'position', (last_position - cardinality(row_events) + r.n)::text,
            'data', v_data[r.event]::json, 'metadata', v_metadata[r.event]::json,
            'integrity', json_build_object('prevHash', r.prev_hash, 'hash', r.hash)${
              version >= 2
                ? ",\n            'hashScheme', p_hash_schemes[r.event], 'erasable', v_values[r.event]::json"
                : ''
            })
          FROM unnest(row_events, row_streams, row_revisions, row_prev_hashes, row_hashes)
            WITH ORDINALITY AS r(event, stream, revision, prev_hash, hash, n)
          WHERE v_event_ids[r.event] = ANY (ids)) duplicates;
    ELSIF p_expected[a] IS NOT NULL AND coalesce(head_revisions[k], -1) <> p_expected[a] THEN
      outcome := 'conflict';
      first_revision := head_revisions[k];
    ELSE
      outcome := 'ok';
      first_revision := coalesce(head_revisions[k], -1) + 1;
      first_position := last_position + 1;
      head_hash := coalesce(head_hashes[k], '${GENESIS_HASH}');
      hashes := '{}';
      FOR i IN first_event .. first_event + n - 1 LOOP
        row_events := row_events || i;
        row_streams := row_streams || p_streams[a];
        row_revisions := row_revisions || (first_revision + i - first_event);
        row_prev_hashes := row_prev_hashes || head_hash;
        head_hash := encode(sha256(convert_to(
          v_before_prev_hash[i] || head_hash || v_before_revision[i]
            || (first_revision + i - first_event)::text || v_after_revision[i],
          'UTF8')), 'hex');
        row_hashes := row_hashes || head_hash;
        hashes := hashes || head_hash;
      END LOOP;
      head_revisions[k] := first_revision + n - 1;
      head_hashes[k] := head_hash;
      taken_ids := taken_ids || ids;
      last_position := last_position + n;
    END IF;
    RETURN NEXT;
    first_event := first_event + n;
  END LOOP;
  IF first_event - 1 <> total THEN
    RAISE EXCEPTION 'ledger_append: the appends count % events, the columns hold %', first_event - 1, total;
  END IF;
  IF cardinality(row_events) > 0 THEN
    INSERT INTO events (position, event_id, stream, revision, type, schema_version, data, metadata, prev_hash, hash${
      version >= 2 ? ', hash_scheme' : ''
    })
    SELECT last_position - cardinality(row_events) + r.n, v_event_ids[r.event], r.stream, r.revision,
           v_types[r.event], p_schema_versions[r.event], v_data[r.event]::jsonb, v_metadata[r.event]::jsonb,
           r.prev_hash, r.hash${version >= 2 ? ', p_hash_schemes[r.event]' : ''}
    FROM unnest(row_events, row_streams, row_revisions, row_prev_hashes, row_hashes)
      WITH ORDINALITY AS r(event, stream, revision, prev_hash, hash, n);${
        version === 2
          ? `
    INSERT INTO event_values (event_id, erasable)
    SELECT v_event_ids[r.event], v_values[r.event] FROM unnest(row_events) AS r(event)
    WHERE v_values[r.event] IS NOT NULL;`
          : version === 3
            ? `
    INSERT INTO event_values (position, event_id, erasable)
    SELECT last_position - cardinality(row_events) + r.n, v_event_ids[r.event], v_values[r.event]
    FROM unnest(row_events) WITH ORDINALITY AS r(event, n)
    WHERE v_values[r.event] IS NOT NULL;`
            : ''
      }
    PERFORM pg_notify('${CHANNEL}', '');
  END IF;
END $$`;

const V1_SIGNATURE =
  'ledger_append(text[], bigint[], integer[], integer[], text, text, text, text, text, text, text)';
const V2_SIGNATURE =
  'ledger_append(text[], bigint[], integer[], integer[], text, text, text, text, text, text, text, integer[], text)';

/**
 * Every statement inside ledger_append is planned once per connection and the
 * plan kept. Left to choose (plan_cache_mode auto), PostgreSQL plans them
 * afresh on each call, as its generic plans cost no less on paper: 0.13 ms
 * of the function's 0.34 ms on a single append, measured. The INSERT reads
 * only the function's own arrays; for the reads of `events`, see indexReads.
 */
const genericPlans = (signature: string) =>
  sql.raw(`ALTER FUNCTION ${signature} SET plan_cache_mode = force_generic_plan`);

/**
 * A plan kept for the life of a connection is made for the table as it was
 * at the connection's first append. Made while `events` held a page or so,
 * the lookup of the group's ids was a sequential scan comparing every stored
 * event with every id, kept while the table grew: appends of 1,000 events
 * slowed from 1 to 11 s per 10,000 as the table reached 100,000 (until an
 * ANALYZE invalidated the plan). Each read of `events` in the function has
 * a unique index that answers it (position, event_id, stream and revision),
 * so the planner is told to leave sequential scans to the tables' absence.
 */
const indexReads = (signature: string) => sql.raw(`ALTER FUNCTION ${signature} SET enable_seqscan = off`);

/**
 * One statement for every call, prepared once per connection under its name:
 * each append then sends only Bind and Execute, nothing to parse or plan.
 */
const CALL_APPEND = {
  name: 'ledger_append',
  text: 'SELECT * FROM ledger_append($1::text[], $2::bigint[], $3::integer[], $4::integer[], $5, $6, $7, $8, $9, $10, $11, $12::integer[], $13)',
};

/** Joins the event columns for ledger_append; see there why U+001E. */
const SEPARATOR = '\u001e';

const keepValueRows = sql`CREATE TRIGGER event_values_forbid_delete BEFORE DELETE OR TRUNCATE ON event_values
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_value_rows()`;

const POSTGRES_DDL: DialectDdl = {
  types: { int64: 'bigint', json: 'jsonb', uuid: 'uuid' },
  immutabilityGuard: [
    sql`CREATE FUNCTION ledger_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the ledger is append-only: % on events is forbidden', TG_OP; END $$`,
    sql`CREATE TRIGGER events_forbid_change BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change()`,
    sql`CREATE TRIGGER events_forbid_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change()`,
  ],
  appendFunction: [sql.raw(appendFunction(1))],
  appendFunctionTuning: [genericPlans(V1_SIGNATURE)],
  erasableValues: [
    sql.raw(`DROP FUNCTION ${V1_SIGNATURE}`),
    sql.raw(appendFunction(2)),
    genericPlans(V2_SIGNATURE),
    // An erasure takes values out of a row; the row itself, which says the event had values, stays.
    sql`CREATE FUNCTION ledger_keep_value_rows() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'erasure takes values out of event_values; its rows stay (% refused)', TG_OP; END $$`,
    keepValueRows,
  ],
  valuesByPosition: [
    sql.raw(`DROP FUNCTION ${V2_SIGNATURE}`),
    sql.raw(appendFunction(3)),
    genericPlans(V2_SIGNATURE),
    keepValueRows,
  ],
  appendFunctionIndexReads: [indexReads(V2_SIGNATURE)],
};

/** One row of ledger_append's answer, one per append; bigint columns arrive as text. */
interface AppendRow {
  append_no: number;
  outcome: 'ok' | 'duplicate' | 'conflict';
  first_revision: string | null;
  first_position: string | null;
  hashes: string[] | null;
  /** The stored events sharing the append's ids: StoredEvent-shaped JSON text, the position as a string. */
  existing: string | null;
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
function textJson(parsers: typeof types) {
  return {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === parsers.builtins.JSONB || oid === parsers.builtins.JSON
        ? (value: string) => value
        : parsers.getTypeParser(oid, format),
  };
}

export interface PostgresEventStoreOptions extends SqlEventStoreOptions {
  poolSize?: number;
}

export class PostgresEventStore extends SqlEventStore {
  readonly kind = 'postgres';
  private listener?: Client;
  /** Set by the first subscription: see subscribeAll. */
  private listening?: Promise<void>;
  private closed = false;

  private constructor(
    db: Kysely<LedgerDb>,
    private readonly pool: Pool,
    private readonly connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    super(db, options);
  }

  static async open(
    connectionString: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const driver = pg();
    const pool = new driver.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      types: textJson(driver.types),
    });
    // An idle connection dies when PostgreSQL restarts or an administrator ends
    // it; the pool discards it and opens a new one on demand. Unhandled, the
    // 'error' event would crash the process instead.
    pool.on('error', () => undefined);
    // A connection in use (an append in flight) has no
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
    return new PostgresEventStore(db, pool, connectionString, options);
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
      hashSchemes: [] as number[],
      values: [] as string[],
    };
    for (const { stream, events } of group)
      for (const event of this.stamp(events)) {
        // The canonical forms the hash covers are the stored columns too (jsonb keeps no spelling): each made once.
        const data = canonicalJson(event.data);
        const metadata = canonicalJson(event.metadata);
        const template = templateOfCanonical(stream, event, data, metadata, event.hashScheme);
        columns.hashSchemes.push(event.hashScheme ?? 1);
        columns.values.push(event.valuesJson ?? 'null');
        columns.eventIds.push(event.eventId);
        columns.types.push(event.type);
        columns.schemaVersions.push(event.schemaVersion);
        columns.data.push(data);
        columns.metadata.push(metadata);
        columns.beforePrevHash.push(template.beforePrevHash);
        columns.beforeRevision.push(template.beforeRevision);
        columns.afterRevision.push(template.afterRevision);
      }
    const joined = (texts: string[]) => texts.join(SEPARATOR);
    // Straight to the pool, past the query builder: there is nothing to build, and a named statement needs pg's own query form.
    const { rows } = await this.pool.query<AppendRow>({
      ...CALL_APPEND,
      values: [
        group.map((r) => r.stream),
        group.map((r) => expectedParameter(r.expectedRevision)),
        group.map((r) => r.events.length),
        columns.schemaVersions,
        joined(columns.eventIds),
        joined(columns.types),
        joined(columns.data),
        joined(columns.metadata),
        joined(columns.beforePrevHash),
        joined(columns.beforeRevision),
        joined(columns.afterRevision),
        columns.hashSchemes,
        joined(columns.values),
      ],
    });
    return group.map((request, i) => {
      try {
        return { result: appendResult(request, rows[i]) };
      } catch (error) {
        return { error };
      }
    });
  }

  /**
   * The listener wakes this process's subscriptions on other processes'
   * appends, so it starts with the first subscription, before its first read,
   * and stays until close. A process that only appends never listens: every
   * append NOTIFYs, and a listener of its own would be woken by each of them
   * for nothing (its own appends wake its subscriptions directly).
   */
  override async *subscribeAll(options?: SubscribeOptions): AsyncIterable<readonly StoredEvent[]> {
    await (this.listening ??= this.listen());
    yield* super.subscribeAll(options);
  }

  /** Live wake-ups from other processes. Best effort: subscriptions still poll, so a lost listener only adds latency. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new (pg().Client)({ connectionString: this.connectionString });
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
    // A first LISTEN still connecting would otherwise set a listener after this end.
    await this.listening;
    await this.listener?.end().catch(() => undefined);
    await this.db.destroy();
  }
}

function isContentError(error: unknown): boolean {
  // Asked only of errors out of pool queries, so pg is already loaded.
  return error instanceof pg().DatabaseError && CONTENT_ERROR_CLASSES.includes(error.code?.slice(0, 2) ?? '');
}

/** A stored event as ledger_append returns a resend's: StoredEvent-shaped, sealed, its values beside it. */
type ExistingEvent = Omit<StoredEvent, 'position'> & {
  position: string;
  hashScheme: number;
  erasable: unknown;
};

/** What one append came to, from its row of ledger_append's answer; throws the error its caller gets. */
function appendResult(
  { stream, events, expectedRevision }: AppendRequest,
  row: AppendRow | undefined,
): AppendResult {
  switch (row?.outcome) {
    case 'conflict':
      throw concurrencyConflict(
        stream,
        expectedRevision,
        row.first_revision === null ? null : Number(row.first_revision),
      );
    case 'duplicate':
      return acknowledgeDuplicates(
        stream,
        events,
        (JSON.parse(row.existing!) as ExistingEvent[]).map(({ hashScheme, erasable, ...e }) =>
          openStored(
            { ...e, position: BigInt(e.position) },
            hashScheme,
            erasable === null ? null : JSON.stringify(erasable),
          ),
        ),
      );
    case 'ok': {
      const revision = Number(row.first_revision);
      const position = BigInt(row.first_position!);
      const hashes = row.hashes!;
      if (hashes.length !== events.length)
        throw new Error(`ledger_append stored ${hashes.length} events of an append of ${events.length}`);
      return {
        duplicate: false,
        events: events.map((event, i) => ({
          eventId: event.eventId,
          revision: revision + i,
          position: position + BigInt(i),
          hash: hashes[i],
        })),
        nextExpectedRevision: revision + events.length - 1,
      };
    }
    default:
      throw new Error(`ledger_append gave no answer for an append to ${stream}`);
  }
}
