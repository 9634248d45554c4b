import { createHash } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { EventStore } from '@ledger/event-store';
import {
  complianceFindings,
  countDataAccess,
  encodeCursor,
  findDataAccess,
  findModelVersion,
  findSystem,
  findSystems,
  findTimeline,
  holdingsAt,
  parseJson,
  systemCursor,
  systemDetails,
  systemLiveVersionAt,
  type DataAccessFilter,
  type ReadDb,
} from '@ledger/read-models';
import type { ReadStore } from '@ledger/read-store';
import { LedgerConfig } from '@ledger/runtime';
import { type ComplianceRule, type GovernancePolicy, tenantStream } from '@ledger/domain';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { ProblemError } from '../errors/problem';
import type { GraphqlContext } from '../graphql/graphql-context';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import { READ_STORE } from '../read-models/read-store.module';
import { EVENT_STORE } from '../store/event-store.module';
import { SelfAuditService } from '../auth/self-audit.service';
import type { Caller } from '../request-context/caller';
import { DATA_ACCESS_CSV_MAX_ROWS, dataAccessCsv } from './data-access-csv';
import { aiSystemView, versionsOf, views } from './read-model-views';
import { instant, pageOf, queryCaller } from './query-context';

interface SystemFilterArgs {
  status?: string;
  riskClass?: string;
  site?: string;
  roleHolder?: string;
}

interface DataAccessFilterArgs {
  datasetId?: string;
  actor?: string;
  patientId?: string;
  purposeOfUse?: string;
  outcome?: string;
  systemId?: string;
  violationsOnly?: boolean;
  from?: string;
  to?: string;
}

/** The auditors' questions, answered from the read models in the caller's tenant. */
@Resolver()
export class AuditQueriesResolver {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
    private readonly config: LedgerConfig,
    private readonly pseudonymiser: Pseudonymiser,
    private readonly selfAudit: SelfAuditService,
  ) {}

  private get db(): ReadDb {
    return this.readStore.db as ReadDb;
  }

  @Query()
  async aiSystem(@Args('id') id: string, @Context() ctx: GraphqlContext) {
    const { tenantId } = granted(queryCaller(ctx), id);
    const row = await findSystem(this.db, tenantId, id);
    if (!row) return null;
    const [details, holdings] = await Promise.all([
      systemDetails(this.db, tenantId, [id]),
      holdingsAt(this.db, tenantId, [id], instant(undefined)),
    ]);
    return aiSystemView(row, details, holdings);
  }

  @Query()
  async aiSystems(
    @Args('filter') filter: SystemFilterArgs | undefined,
    @Args('first') first: number | undefined,
    @Args('after') after: string | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const { tenantId } = queryCaller(ctx);
    const now = instant(undefined);
    const page = await findSystems(
      this.db,
      tenantId,
      { ...filter, systemIds: queryCaller(ctx).systems },
      pageOf(first, after),
      now,
    );
    const ids = page.rows.map((r) => r.system_id);
    const [details, holdings] = await Promise.all([
      systemDetails(this.db, tenantId, ids),
      holdingsAt(this.db, tenantId, ids, now),
    ]);
    const edges = page.rows.map((row) => ({
      cursor: systemCursor(row),
      node: aiSystemView(row, details, holdings),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Query()
  async accountability(
    @Args('systemId') systemId: string,
    @Args('asOf') asOf: string | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const { tenantId } = granted(queryCaller(ctx), systemId);
    const at = instant(asOf);
    const [system, holdings] = await Promise.all([
      systemLiveVersionAt(this.db, tenantId, systemId, at),
      holdingsAt(this.db, tenantId, [systemId], at),
    ]);
    if (!system) throw notFound(systemId);
    const vacantRequiredRoles = this.policy.requiredRoles.filter(
      (role) => !holdings.some((h) => h.role === role && h.accepted),
    );
    return { systemId, asOf: at, holdings, vacantRequiredRoles, liveVersion: system.live_version };
  }

  @Query()
  async timeline(
    @Args('systemId') systemId: string | undefined,
    @Args('stream') stream: string | undefined,
    @Args('types') types: string[] | undefined,
    @Args('from') from: string | undefined,
    @Args('to') to: string | undefined,
    @Args('first') first: number | undefined,
    @Args('after') after: string | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const caller = queryCaller(ctx);
    // A regulator reads a granted system's history, never a stream by name.
    const { tenantId } = caller.systems && !systemId ? granted(caller, undefined) : granted(caller, systemId);
    if (!systemId === !stream)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'systemId',
        message: 'give exactly one of systemId or stream',
      });
    const page = await findTimeline(
      this.db,
      tenantId,
      {
        systemId,
        stream: stream && tenantStream(tenantId, stream),
        types,
        from: from && instant(from),
        to: to && instant(to),
      },
      pageOf(first, after),
    );
    // The page is read whole from the event store: what an auditor sees is what is stored and hashed.
    const stored = new Map(
      (await this.store.findByEventIds(page.rows.map((r) => r.event_id))).map((e) => [e.eventId, e]),
    );
    const edges = page.rows.map((row) => {
      const event = stored.get(row.event_id)!;
      return {
        cursor: encodeCursor(String(row.position)),
        node: { ...event, data: JSON.stringify(event.data) },
      };
    });
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Query()
  async dataAccess(
    @Args('filter') filter: DataAccessFilterArgs | undefined,
    @Args('first') first: number | undefined,
    @Args('after') after: string | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const caller = granted(queryCaller(ctx), filter?.systemId);
    const search = this.search(caller.tenantId, filter);
    // A search for one patient is itself sensitive: the ledger records who made it.
    if (search.patientPseudonym)
      await this.selfAudit.patientLookup(caller, search.patientPseudonym, 'graphql dataAccess');
    const page = await findDataAccess(this.db, caller.tenantId, search, pageOf(first, after));
    const edges = page.rows.map((row) => ({
      cursor: encodeCursor(String(row.position)),
      node: views.dataAccess(row),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      // Kept for DataAccessConnectionResolver.totalCount, which counts only when the query selects it.
      search: { tenantId: caller.tenantId, filter: search },
    };
  }

  @Mutation()
  async exportDataAccessCsv(
    @Args('filter') filter: DataAccessFilterArgs | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const caller = granted(queryCaller(ctx), filter?.systemId);
    const search = this.search(caller.tenantId, filter);
    const found = await findDataAccess(this.db, caller.tenantId, search, { first: DATA_ACCESS_CSV_MAX_ROWS });
    if (found.hasNextPage)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'filter',
        message: `filter matches more than ${DATA_ACCESS_CSV_MAX_ROWS} accesses; a CSV export holds at most ${DATA_ACCESS_CSV_MAX_ROWS}: narrow it (a time range, an actor, a dataset)`,
      });
    const csv = dataAccessCsv(found.rows.map(views.dataAccess));
    const { patientId: _raw, ...named } = filter ?? {};
    // Recorded before the CSV is handed out, and a failure to record refuses the export: no bulk read goes unrecorded.
    const recordedAs = await this.selfAudit.dataAccessExport(caller, {
      operation: 'graphql exportDataAccessCsv',
      filter: JSON.stringify(named),
      ...(search.patientPseudonym ? { patientPseudonym: search.patientPseudonym } : {}),
      rowCount: found.rows.length,
      csvSha256: createHash('sha256').update(csv).digest('hex'),
    });
    return { csv, rowCount: found.rows.length, recordedAs };
  }

  /** The read model's filter for the caller's: the patient pseudonymised with the tenant's key, instants normalised. */
  private search(tenantId: string, filter: DataAccessFilterArgs | undefined): DataAccessFilter {
    const { patientId, purposeOfUse, from, to, ...rest } = filter ?? {};
    return {
      ...rest,
      purpose: purposeOfUse,
      patientPseudonym:
        patientId === undefined ? undefined : this.pseudonymiser.pseudonymise(tenantId, patientId),
      from: from && instant(from),
      to: to && instant(to),
    };
  }

  @Query()
  async modelVersion(
    @Args('systemId') systemId: string,
    @Args('version') version: string,
    @Context() ctx: GraphqlContext,
  ) {
    const { tenantId } = granted(queryCaller(ctx), systemId);
    const found = await findModelVersion(this.db, tenantId, systemId, version);
    if (!found) return null;
    const details = await systemDetails(this.db, tenantId, [systemId]);
    const summary = versionsOf(systemId, details).find((v) => v.version === version)!;
    const { row } = found;
    return {
      ...summary,
      systemId,
      codeRevision: row.code_revision,
      changeSummary: row.change_summary,
      withinChangeControlPlan: row.within_change_control_plan === 1,
      validationPlan: found.plan && {
        datasetId: found.plan.dataset_id,
        metrics: parseJson(found.plan.metrics),
        subgroups: parseJson(found.plan.subgroups),
        plannedBy: found.plan.planned_by,
        plannedAt: found.plan.planned_at,
        eventId: found.plan.event_id,
      },
      trainingDatasetIds: found.datasetIds,
      trainingDatasets: found.datasets.map((d) => ({
        id: d.dataset_id,
        name: d.name,
        classification: d.classification,
        legalBasis: d.legal_basis,
        steward: d.steward,
        source: d.source,
        retentionPeriod: d.retention_period,
        registeredAt: d.registered_at,
        approvedPurposes: found.datasetApprovals
          .filter((a) => a.dataset_id === d.dataset_id)
          .map((a) => a.purpose),
      })),
    };
  }

  @Query()
  async complianceFindings(
    @Args('filter') filter: { systemId?: string; rule?: ComplianceRule; asOf?: string } | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const caller = queryCaller(ctx);
    const { tenantId } = filter?.systemId ? granted(caller, filter.systemId) : caller;
    const findings = await complianceFindings(
      this.db,
      tenantId,
      { systemId: filter?.systemId, rule: filter?.rule },
      instant(filter?.asOf),
      {
        requiredRoles: this.policy.requiredRoles,
        validationValidityDays: this.policy.validationValidityDays,
        auditIntervalDays: this.config.LEDGER_AUDIT_INTERVAL_DAYS,
        incidentReportGraceHours: this.config.LEDGER_INCIDENT_REPORT_GRACE_HOURS,
      },
    );
    return caller.systems
      ? findings.filter((f) => f.systemId !== null && caller.systems!.includes(f.systemId))
      : findings;
  }
}

/** A regulator sees only the systems granted to it; everyone else sees their whole tenant. */
export function granted(caller: Caller, systemId: string | undefined): Caller {
  if (caller.systems && (systemId === undefined || !caller.systems.includes(systemId)))
    throw new ProblemError({
      status: 403,
      code: 'SYSTEM_NOT_GRANTED',
      field: 'systemId',
      message: `a regulator reads only the systems granted to it (${caller.systems.join(', ') || 'none'}); name one of them`,
    });
  return caller;
}

function notFound(systemId: string): ProblemError {
  return new ProblemError({
    status: 404,
    code: 'NOT_FOUND',
    field: 'systemId',
    message: `no AI system ${systemId} in this tenant; register it first or check the id`,
  });
}

/** A data-access page's total: counted only when asked for, so paging without it costs no count. */
@Resolver('DataAccessConnection')
export class DataAccessConnectionResolver {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  @ResolveField()
  totalCount(@Parent() page: { search: { tenantId: string; filter: DataAccessFilter } }): Promise<number> {
    return countDataAccess(this.readStore.db as ReadDb, page.search.tenantId, page.search.filter);
  }
}
