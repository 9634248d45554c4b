import { Inject, Injectable } from '@nestjs/common';
import { auditEventSearchOf, fhirAuditEventOf, type AuditEventSearch } from '@ledger/evidence';
import type { EventStore } from '@ledger/event-store';
import {
  countDataAccess,
  encodeCursor,
  findDataAccess,
  type AccessCondition,
  type DataAccessFilter,
  type ReadDb,
} from '@ledger/read-models';
import type { ReadStore } from '@ledger/read-store';
import { LedgerConfig } from '@ledger/runtime';
import type { Bundle, BundleLink, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { SelfAuditService } from '../auth/self-audit.service';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import { READ_STORE } from '../read-models/read-store.module';
import type { Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';

/** A search's query string: beyond this the ledger does not read it (Node itself refuses a request line over 16 KiB). */
const MAX_QUERY_LENGTH = 4096;

/** `_total` is counted over at most this many windows (LEDGER_FHIR_SEARCH_WINDOW) of accesses. */
const TOTAL_WINDOWS = 10;

/** The self-audit name of a patient lookup through FHIR search. */
const LOOKUP_OPERATION = 'fhir AuditEvent search';

/**
 * What a cursor carries: the search itself (its parameters with the patients
 * already pseudonymised, and the instant `ap` was read against) and where the
 * page starts. Links then never echo a raw patient identifier, and a page
 * reached through one is the same search, whatever was appended meanwhile.
 */
interface SearchCursor {
  q: Array<[string, string]>;
  p: string[][];
  at: string;
  after?: string;
  before?: string;
}

type Answer = { bundle: Bundle } | { status: 400 | 403; issues: OperationOutcomeIssue[] };

/** IHE ITI-81 over the data-access read model, in the caller's tenant, with the same patient and role rules as GraphQL dataAccess. */
@Injectable()
export class FhirSearchService {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly pseudonymiser: Pseudonymiser,
    private readonly selfAudit: SelfAuditService,
    private readonly config: LedgerConfig,
  ) {}

  /** `query` is the request's query string, undecoded; `base` the service's address for links and fullUrls. */
  async search(caller: Caller, query: string, base: string): Promise<Answer> {
    if (query.length > MAX_QUERY_LENGTH)
      return refused(
        'too-costly',
        'query',
        `a search's query string is at most ${MAX_QUERY_LENGTH} characters`,
      );
    const params = [...new URLSearchParams(query)];
    const cursorAt = params.findIndex(([name]) => name === '_cursor');
    const opened = cursorAt < 0 ? this.fresh(caller, params) : reopened(params, params[cursorAt][1]);
    if ('issues' in opened) return { status: 400, issues: opened.issues };
    const { cursor, search } = opened;
    if (caller.systems && caller.systems.length === 0)
      return refused(
        'forbidden',
        'token',
        'a regulator reads only the AI systems granted to it, and this token grants none',
        403,
      );

    // A search for one patient is itself sensitive: the ledger records who made it, page by page, as GraphQL does.
    for (const pseudonym of new Set(cursor.p.flat()))
      await this.selfAudit.patientLookup(caller, pseudonym, LOOKUP_OPERATION);

    const conditions: AccessCondition[] = [
      ...search.conditions,
      ...cursor.p.map((pseudonyms): AccessCondition => ({ column: 'patient_pseudonym', oneOf: pseudonyms })),
      // A regulator sees the accesses made for the systems granted to it, as GraphQL's dataAccess lets it.
      ...(caller.systems ? [{ column: 'system_id' as const, oneOf: caller.systems }] : []),
    ];
    const filter: DataAccessFilter = { conditions };
    const db = this.readStore.db as ReadDb;
    const window = this.config.LEDGER_FHIR_SEARCH_WINDOW;
    const page = await findDataAccess(db, caller.tenantId, filter, {
      first: search.count,
      after: cursor.after && encodeCursor(cursor.after),
      before: cursor.before && encodeCursor(cursor.before),
      window,
    });
    const events = new Map(
      (await this.store.findByEventIds(page.rows.map((r) => r.event_id))).map((e) => [e.eventId, e]),
    );

    const link = (relation: string, at: Partial<Pick<SearchCursor, 'after' | 'before'>>): BundleLink => ({
      relation,
      url: `${base}/fhir/AuditEvent?_cursor=${encodeSearchCursor({ q: cursor.q, p: cursor.p, at: cursor.at, ...at })}`,
    });
    // A page walks from its cursor; where its window ran out before it filled, the walk resumes past the window.
    const backward = cursor.before !== undefined;
    const onward = page.hasNextPage ? page.resumeAt : undefined;
    const newest = backward ? onward : page.rows[0]?.position;
    const oldest = backward ? page.rows.at(-1)?.position : onward;
    const newer = backward ? page.hasNextPage : cursor.after !== undefined;
    const older = backward || page.hasNextPage;
    // Counting reads every access it counts: beyond TOTAL_WINDOWS windows' worth the total is left out, as FHIR allows.
    const total = search.total
      ? await countDataAccess(db, caller.tenantId, filter, TOTAL_WINDOWS * window)
      : undefined;
    return {
      bundle: {
        resourceType: 'Bundle',
        type: 'searchset',
        ...(total !== undefined ? { total } : {}),
        link: [
          link('self', { after: cursor.after, before: cursor.before }),
          ...(older && oldest !== undefined ? [link('next', { after: String(oldest) })] : []),
          ...(newer && newest !== undefined ? [link('previous', { before: String(newest) })] : []),
        ],
        // FHIR has no empty arrays: a page with no match has no entry element.
        ...(page.rows.length > 0
          ? {
              entry: page.rows.map((row) => ({
                fullUrl: `${base}/fhir/AuditEvent/${row.event_id}`,
                // Served as GET /fhir/AuditEvent/{id} serves it: as sent, else as the ledger describes it.
                resource: fhirAuditEventOf(events.get(row.event_id)!),
                search: { mode: 'match' as const },
              })),
            }
          : {}),
      },
    };
  }

  /** A search as the client sent it: its patients pseudonymised with the tenant's key, as GraphQL's patientId is. */
  private fresh(caller: Caller, params: Array<[string, string]>) {
    const at = new Date();
    const parsed = auditEventSearchOf(params, at);
    if ('issues' in parsed) return parsed;
    const cursor: SearchCursor = {
      q: params.filter(([name]) => name !== 'patient'),
      p: parsed.search.patients.map((ids) =>
        ids.map((id) => this.pseudonymiser.pseudonymise(caller.tenantId, id)),
      ),
      at: at.toISOString(),
    };
    return { cursor, search: parsed.search };
  }
}

function refused(
  code: OperationOutcomeIssue['code'],
  expression: string,
  diagnostics: string,
  status: 400 | 403 = 400,
): Answer {
  return { status, issues: [{ severity: 'error', code, expression: [expression], diagnostics }] };
}

const encodeSearchCursor = (cursor: SearchCursor) => encodeCursor(JSON.stringify(cursor));

const CURSOR_RULE =
  '_cursor: not a cursor this server issued; follow a Bundle.link (self, next or previous) as given, with no other parameter';

/** A cursor back into the search it came from; anything else in the query, or a cursor not of this server's making, is refused. */
function reopened(
  params: Array<[string, string]>,
  text: string,
): { cursor: SearchCursor; search: AuditEventSearch } | { issues: OperationOutcomeIssue[] } {
  const bad = {
    issues: [
      {
        severity: 'error' as const,
        code: 'invalid' as const,
        expression: ['_cursor'],
        diagnostics: CURSOR_RULE,
      },
    ],
  };
  if (
    params.some(([name]) => name !== '_cursor' && name !== '_format') ||
    params.filter(([name]) => name === '_cursor').length !== 1 ||
    params.length > 2
  )
    return bad;
  let cursor: SearchCursor;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as SearchCursor;
  } catch {
    return bad;
  }
  const position = (p: unknown) => p === undefined || (typeof p === 'string' && /^\d{1,19}$/.test(p));
  const pairs = (q: unknown) =>
    Array.isArray(q) &&
    q.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((s) => typeof s === 'string'));
  if (
    typeof cursor !== 'object' ||
    cursor === null ||
    encodeSearchCursor(cursor) !== text ||
    !pairs(cursor.q) ||
    cursor.q.some(([name]) => name === 'patient' || name === '_cursor') ||
    !Array.isArray(cursor.p) ||
    !cursor.p.every(
      (ps) =>
        Array.isArray(ps) &&
        ps.length > 0 &&
        ps.every((p) => typeof p === 'string' && /^[0-9a-f]{64}$/.test(p)),
    ) ||
    typeof cursor.at !== 'string' ||
    Number.isNaN(Date.parse(cursor.at)) ||
    new Date(cursor.at).toISOString() !== cursor.at ||
    !position(cursor.after) ||
    !position(cursor.before) ||
    (cursor.after !== undefined && cursor.before !== undefined)
  )
    return bad;
  const parsed = auditEventSearchOf(cursor.q, new Date(cursor.at));
  if ('issues' in parsed) return bad;
  return { cursor, search: parsed.search };
}
