import { Inject } from '@nestjs/common';
import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import {
  computedSignals,
  findOutputs,
  outputCursorOf,
  type OutputRow,
  type ReadDb,
} from '@ledger/read-models';
import type { ReadStore } from '@ledger/read-store';
import type { GraphqlContext } from '../graphql/graphql-context';
import { READ_STORE } from '../read-models/read-store.module';
import { granted } from './audit-queries.resolver';
import { instant, pageOf, queryCaller } from './query-context';

interface OutputFilterArgs {
  systemId: string;
  version?: string | null;
  from?: string | null;
  to?: string | null;
  response?: string[] | null;
  outcomeKnown?: boolean | null;
  finding?: string | null;
}

/**
 * Clinical use as auditors read it: a system's outputs with what the
 * clinician did and what happened, and the series of metrics the ledger
 * computed from them. Same readers and grants as the other audit queries.
 */
@Resolver()
export class OutputsResolver {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  @Query()
  async outputs(
    @Args('filter') filter: OutputFilterArgs,
    @Args('first') first: number | undefined,
    @Args('after') after: string | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const { tenantId } = granted(queryCaller(ctx), filter.systemId);
    const page = await findOutputs(
      this.readStore.db as ReadDb,
      tenantId,
      {
        systemId: filter.systemId,
        version: filter.version ?? undefined,
        from: filter.from ? instant(filter.from) : undefined,
        to: filter.to ? instant(filter.to) : undefined,
        responses: filter.response ?? undefined,
        outcomeKnown: filter.outcomeKnown ?? undefined,
        finding: filter.finding ?? undefined,
      },
      pageOf(first, after),
    );
    const edges = page.rows.map((row) => ({ cursor: outputCursorOf(row), node: outputView(row) }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}

@Resolver('AiSystem')
export class PerformanceResolver {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  /** Resolved only on a system a root query already let the caller see, in the caller's tenant. */
  @ResolveField()
  async performance(
    @Parent() system: { id: string; monitoringPlans: PlanView[] },
    @Args('window') window: { from?: string | null; to?: string | null } | undefined,
    @Args('subgroup') subgroup: string | undefined,
    @Context() ctx: GraphqlContext,
  ) {
    const { tenantId } = queryCaller(ctx);
    const rows = await computedSignals(this.readStore.db as ReadDb, tenantId, system.id, {
      from: window?.from ? instant(window.from) : undefined,
      to: window?.to ? instant(window.to) : undefined,
      subgroup: subgroup ?? undefined,
    });
    const series = new Map<string, { metric: string; subgroup: string | null; points: unknown[] }>();
    for (const row of rows) {
      const key = JSON.stringify([row.metric, row.subgroup]);
      const entry = series.get(key) ?? { metric: row.metric, subgroup: row.subgroup, points: [] };
      entry.points.push({
        window: { from: row.window_from, to: row.window_to },
        value: row.value,
        n: row.n,
        breached: row.breached === 1,
        version: row.version,
        eventId: row.event_id,
      });
      series.set(key, entry);
    }
    // The whole population before its bands, whichever way the database sorts nulls.
    return [...series.values()]
      .sort((a, b) => a.metric.localeCompare(b.metric) || (a.subgroup ?? '').localeCompare(b.subgroup ?? ''))
      .map((s) => {
        const plan = system.monitoringPlans.find((p) => p.metric === s.metric);
        return { ...s, threshold: plan?.threshold ?? null, direction: plan?.direction ?? null };
      });
  }
}

interface PlanView {
  metric: string;
  threshold: number;
  direction: string;
}

function outputView(r: OutputRow) {
  return {
    outputId: r.output_id,
    systemId: r.system_id,
    modelVersion: r.model_version,
    site: r.site,
    occurredAt: r.occurred_at,
    score: r.score,
    class: r.class,
    threshold: r.threshold,
    alerted: r.alerted === 1,
    ageBand: r.age_band,
    sex: r.sex,
    patientPseudonym: r.patient_pseudonym,
    encounterPseudonym: r.encounter_pseudonym,
    inputDigest: r.input_digest,
    sourceService: r.source_service,
    position: String(r.output_position),
    eventId: r.output_event_id,
    response: r.response_event_id && {
      response: r.response,
      reasonCode: r.reason_code,
      respondedBy: r.responded_by,
      respondedAt: r.responded_at,
      eventId: r.response_event_id,
    },
    outcome: r.outcome_event_id && {
      label: r.outcome_label,
      value: r.outcome_value,
      observedAt: r.outcome_observed_at,
      source: r.outcome_source,
      eventId: r.outcome_event_id,
    },
    finding: r.finding,
    liveVersion: r.live_version,
  };
}
