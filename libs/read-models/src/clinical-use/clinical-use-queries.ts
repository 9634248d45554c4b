import {
  OutputColumnsBuilder,
  type AgeBand,
  type ClinicianResponse,
  type OutputColumns,
  type SexBand,
} from '@ledger/domain';
import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, encodeCursor, QueryInputError, type Page, type PageResult } from '../pages';
import type { ClinicalUseTables } from './clinical-use-tables';

export type OutputRow = Selectable<ClinicalUseTables['cu_outputs']>;

export interface OutputFilter {
  systemId: string;
  version?: string;
  /** Produced in [from, to). */
  from?: string;
  to?: string;
  /** Latest responses to keep; 'none' keeps outputs nobody has responded to. */
  responses?: readonly string[];
  outcomeKnown?: boolean;
  finding?: string;
}

/** Newest first. The cursor is the row's (occurredAt, outputId), so outputs recorded later never shift a page. */
export async function findOutputs(
  db: Kysely<ClinicalUseTables>,
  tenant: string,
  filter: OutputFilter,
  page: Page,
): Promise<PageResult<OutputRow>> {
  let query = db
    .selectFrom('cu_outputs')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', filter.systemId)
    // A response or outcome that arrived before its output is not an output yet.
    .where('output_position', 'is not', null);
  if (filter.version) query = query.where('model_version', '=', filter.version);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  if (filter.finding) query = query.where('finding', '=', filter.finding);
  if (filter.outcomeKnown !== undefined)
    query = query.where('outcome_position', filter.outcomeKnown ? 'is not' : 'is', null);
  if (filter.responses) {
    const named = filter.responses.filter((r) => r !== 'none');
    const none = filter.responses.includes('none');
    // An empty list keeps nothing: Kysely writes an empty OR as false.
    query = query.where((eb) =>
      eb.or([
        ...(named.length > 0 ? [eb('response', 'in', named)] : []),
        ...(none ? [eb('response', 'is', null)] : []),
      ]),
    );
  }
  const after = outputCursor(page.after);
  if (after)
    query = query
      .where('occurred_at', '<=', after.occurredAt)
      .where((eb) => eb.or([eb('occurred_at', '<', after.occurredAt), eb('output_id', '<', after.outputId)]));
  const rows = await query
    .orderBy('occurred_at', 'desc')
    .orderBy('output_id', 'desc')
    .limit(page.first + 1)
    .execute();
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

export function outputCursorOf(row: Pick<OutputRow, 'occurred_at' | 'output_id'>): string {
  return encodeCursor(JSON.stringify([row.occurred_at, row.output_id]));
}

function outputCursor(cursor: string | null | undefined) {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((p) => typeof p === 'string'))
    throw new QueryInputError(
      'after',
      'after is not a cursor this API issued; pass an endCursor from a previous page',
    );
  return { occurredAt: parsed[0] as string, outputId: parsed[1] as string };
}

/** What a computed window reads of each output: nothing a metric does not use. */
export type WindowOutputRow = Pick<
  OutputRow,
  | 'output_id'
  | 'output_position'
  | 'output_event_id'
  | 'occurred_at'
  | 'score'
  | 'alerted'
  | 'site'
  | 'age_band'
  | 'sex'
  | 'response'
  | 'response_position'
  | 'response_event_id'
  | 'outcome_label'
  | 'outcome_value'
  | 'outcome_position'
  | 'outcome_event_id'
>;

/**
 * One system's outputs produced in [from, to), a page at a time in
 * (occurredAt, outputId) order: a week of a busy model is hundreds of
 * thousands of rows, never held as rows all at once. Run it inside one
 * snapshot (ReadStore.inReadSnapshot) with {@link appliedThrough} of clinical_use so every
 * page and the position they reflect agree.
 */
export async function* windowOutputs(
  db: Kysely<ClinicalUseTables>,
  tenant: string,
  systemId: string,
  window: { from: string; to: string },
  options: {
    /** Only outputs with this part recorded: a metric that reads only those need not hold the rest. */
    having?: 'response' | 'outcome label';
    pageSize?: number;
  } = {},
): AsyncGenerator<WindowOutputRow[]> {
  const pageSize = options.pageSize ?? 10_000;
  let after: { occurredAt: string; outputId: string } | undefined;
  for (;;) {
    let query = db
      .selectFrom('cu_outputs')
      .select([
        'output_id',
        'output_position',
        'output_event_id',
        'occurred_at',
        'score',
        'alerted',
        'site',
        'age_band',
        'sex',
        'response',
        'response_position',
        'response_event_id',
        'outcome_label',
        'outcome_value',
        'outcome_position',
        'outcome_event_id',
      ])
      .where('tenant_id', '=', tenant)
      .where('system_id', '=', systemId)
      .where('occurred_at', '>=', window.from)
      .where('occurred_at', '<', window.to)
      .where('output_position', 'is not', null);
    if (options.having === 'response') query = query.where('response', 'is not', null);
    if (options.having === 'outcome label') query = query.where('outcome_label', 'is not', null);
    if (after) {
      const { occurredAt, outputId } = after;
      query = query
        .where('occurred_at', '>=', occurredAt)
        .where((eb) => eb.or([eb('occurred_at', '>', occurredAt), eb('output_id', '>', outputId)]));
    }
    const rows = await query.orderBy('occurred_at').orderBy('output_id').limit(pageSize).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1];
    after = { occurredAt: last.occurred_at!, outputId: last.output_id };
  }
}

/** What a metric reads besides the outputs themselves: only these parts go into memory. */
export interface WindowReads {
  response: boolean;
  outcome: boolean;
}

/**
 * A window's outputs in the columns computeWindow takes, and the newest event
 * read (the one a signed checkpoint must cover before the value is recorded).
 * Outputs a metric cannot use stay in the database: override rates read
 * responded outputs only, outcome metrics labelled ones only (computeWindow
 * applies the exact rule to what it is given). Each page is copied into the
 * columns and dropped before the next is read.
 */
export async function windowColumns(
  db: Kysely<ClinicalUseTables>,
  tenant: string,
  systemId: string,
  window: { from: string; to: string },
  reads: WindowReads,
): Promise<{ records: OutputColumns; last?: { position: number; eventId: string } }> {
  const columns = new OutputColumnsBuilder();
  let last: { position: number; eventId: string } | undefined;
  const note = (position: number, eventId: string | null) => {
    if (eventId !== null && (last === undefined || position > last.position)) last = { position, eventId };
  };
  const having = reads.response ? 'response' : reads.outcome ? 'outcome label' : undefined;
  for await (const rows of windowOutputs(db, tenant, systemId, window, { having }))
    for (const row of rows) {
      // Positions are decimal text on PostgreSQL and numbers on SQLite.
      const output = Number(row.output_position);
      const response = reads.response && row.response !== null ? Number(row.response_position) : undefined;
      const outcome = reads.outcome && row.outcome_label !== null ? Number(row.outcome_position) : undefined;
      columns.add({
        outputPosition: output,
        alerted: row.alerted === 1,
        site: row.site!,
        ...(row.score === null ? {} : { score: row.score }),
        ...(row.age_band === null ? {} : { ageBand: row.age_band as AgeBand }),
        ...(row.sex === null ? {} : { sex: row.sex as SexBand }),
        ...(response === undefined
          ? {}
          : { response: row.response as ClinicianResponse, responsePosition: response }),
        ...(outcome === undefined ? {} : { outcomeLabel: row.outcome_label!, outcomePosition: outcome }),
      });
      note(output, row.output_event_id);
      if (response !== undefined) note(response, row.response_event_id);
      if (outcome !== undefined) note(outcome, row.outcome_event_id);
    }
  return { records: columns.finish(), last };
}

/** When the system's first recorded output was produced: where computing its history starts. */
export async function earliestOutput(
  db: Kysely<ClinicalUseTables>,
  tenant: string,
  systemId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('cu_outputs')
    .select('occurred_at')
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('occurred_at', 'is not', null)
    .orderBy('occurred_at')
    .limit(1)
    .executeTakeFirst();
  return row?.occurred_at ?? undefined;
}
