import { Inject } from '@nestjs/common';
import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import type { EventStore } from '@ledger/event-store';
import { retentionTally, type RecordedLegalHold, type RetentionReport } from '@ledger/domain';
import { retentionEventsOf, type ReadDb } from '@ledger/read-models';
import type { ReadStore } from '@ledger/read-store';
import { LedgerConfig, legalHoldsOf, retentionSchedule } from '@ledger/runtime';
import type { GraphqlContext } from '../graphql/graphql-context';
import { instant, queryCaller } from '../queries/query-context';
import { READ_STORE } from '../read-models/read-store.module';
import { EVENT_STORE } from '../store/event-store.module';

/** A tenant's legal holds and what its retention schedule makes due; for those who answer for keeping and erasing records. */
@Resolver()
export class LegalHoldQueriesResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly config: LedgerConfig,
  ) {}

  @Query()
  async legalHolds(@Args('active') active: boolean | undefined, @Context() ctx: GraphqlContext) {
    const holds = await legalHoldsOf(this.store, queryCaller(ctx).tenantId);
    return holds
      .filter((h) => active === undefined || active === null || !h.released === active)
      .map(holdView);
  }

  @Query()
  async retention(@Args('asOf') asOf: string | undefined, @Context() ctx: GraphqlContext) {
    const { tenantId } = queryCaller(ctx);
    const tally = retentionTally({
      schedule: retentionSchedule(this.config),
      holds: await legalHoldsOf(this.store, tenantId),
      asOf: instant(asOf),
    });
    for await (const event of retentionEventsOf(this.readStore.db as ReadDb, tenantId)) tally.add(event);
    return reportView(tally.report());
  }
}

function holdView(hold: RecordedLegalHold) {
  const { scope } = hold;
  return {
    holdId: hold.holdId,
    scope: scope.kind,
    systemId: scope.kind === 'SYSTEM' ? scope.systemId : null,
    subjectKind: scope.kind === 'SUBJECT' ? scope.subjectKind : null,
    subjectDigest: scope.kind === 'SUBJECT' ? scope.subjectDigest : null,
    reason: hold.reason,
    matter: hold.matter,
    placedBy: hold.placedBy,
    placedAt: hold.placedAt,
    eventId: hold.placedEventId,
    active: !hold.released,
    releasedBy: hold.released?.releasedBy ?? null,
    releasedAt: hold.releasedAt ?? null,
    releaseReason: hold.released?.reason ?? null,
  };
}

function reportView(report: RetentionReport) {
  return {
    asOf: report.asOf,
    schedule: { governance: report.schedule.GOVERNANCE, dataAccess: report.schedule.DATA_ACCESS },
    due: report.due,
    held: report.held.map(({ hold, suspended }) => ({
      hold: holdView(hold),
      suspended,
    })),
  };
}
