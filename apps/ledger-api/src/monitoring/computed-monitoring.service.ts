import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  computeWindow,
  DomainError,
  dueWindows,
  OUTCOME_METRICS,
  positionsDigest,
  type ComputedMetric,
  type MonitoringComputation,
  type MonitoringWindow,
} from '@ledger/domain';
import {
  appliedThrough,
  clinicalUseProjection,
  computedPlans,
  earliestOutput,
  lastComputedWindow,
  liveVersionAt,
  windowColumns,
  type ReadDb,
  type WindowReads,
} from '@ledger/read-models';
import type { ReadStore } from '@ledger/read-store';
import { LedgerConfig } from '@ledger/runtime';
import { MerkleProofService } from '@ledger/transparency-log';
import { AiSystemCommands } from '../commands/handle-command';
import { ProjectionsService } from '../read-models/projections.service';
import { READ_STORE } from '../read-models/read-store.module';

type PlanRow = Awaited<ReturnType<typeof computedPlans>>[number];

/**
 * How many windows one pass computes at most, over all plans: catching up a
 * year of daily windows goes a few dozen at a time, each pass yielding to the
 * requests the service is answering, and the next pass starts at once.
 */
const WINDOWS_PER_PASS = 24;

/**
 * The ledger's own monitoring: every LEDGER_MONITORING_EVERY_MS it looks
 * for windows of computed plans that have settled, reads each window's
 * outputs with their latest responses and outcomes from the clinical-use
 * read model on one snapshot, computes the metric with the same pure
 * functions verify-bundle uses, waits for a signed checkpoint covering every
 * event it read, and records the values (and any breach) through the normal
 * command path as LEDGER_MONITOR. Only the process holding the projector lock
 * computes, so replicas never compute a window twice; the decider refuses a
 * window already recorded, should two ever race.
 */
@Injectable()
export class ComputedMonitoringService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Monitoring');
  private timer?: NodeJS.Timeout;
  private pass?: Promise<boolean>;
  private stopped = false;
  /** Per plan, the end of the last window this process dealt with, including windows that yielded no value. */
  private readonly cursors = new Map<string, number>();

  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly projections: ProjectionsService,
    private readonly proofs: MerkleProofService,
    private readonly aiSystems: AiSystemCommands,
    private readonly config: LedgerConfig,
  ) {}

  private get db(): ReadDb {
    return this.readStore.db as ReadDb;
  }

  onApplicationBootstrap(): void {
    this.schedule(this.config.LEDGER_MONITORING_EVERY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.pass = this.runPass();
      void this.pass.then((behind) => {
        if (!this.stopped) this.schedule(behind ? 0 : this.config.LEDGER_MONITORING_EVERY_MS);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One pass over every computed plan; true when due windows remain for the next pass. */
  async runPass(now = Date.now()): Promise<boolean> {
    if (!this.projections.isActive) return false;
    try {
      const readyAt = await this.clinicalUseReadyAt(now);
      if (readyAt === undefined) return false;
      let budget = WINDOWS_PER_PASS;
      let behind = false;
      for (const plan of await computedPlans(this.db)) {
        if (this.stopped) return false;
        if (budget === 0) return true;
        const { computed, remaining } = await this.computePlan(plan, readyAt, budget);
        budget -= computed;
        behind ||= remaining;
      }
      return behind;
    } catch (error) {
      this.logger.error({ msg: 'computed monitoring pass failed; the next pass tries again', err: error });
      return false;
    }
  }

  /**
   * The instant up to which the clinical-use read model holds everything
   * recorded: now when it is caught up, else just before the oldest event it
   * has not applied. A window is computed only once it settled before that,
   * so a projection catching up (after a rebuild) never yields a partial window.
   */
  private async clinicalUseReadyAt(now: number): Promise<number | undefined> {
    const status = (await this.projections.statuses()).find((s) => s.name === 'clinical_use');
    if (!status?.running || status.error) return undefined;
    return now - status.lagSeconds * 1000;
  }

  private async computePlan(
    plan: PlanRow,
    readyAt: number,
    budget: number,
  ): Promise<{ computed: number; remaining: boolean }> {
    const key = JSON.stringify([plan.tenant_id, plan.system_id, plan.metric]);
    const computation = JSON.parse(plan.computation!) as MonitoringComputation;
    const after = this.cursors.get(key) ?? (await this.startOf(plan));
    if (after === undefined) return { computed: 0, remaining: false };
    const due = dueWindows({ cadence: plan.cadence, computation }, after, readyAt, budget + 1);
    let computed = 0;
    for (const window of due.slice(0, budget)) {
      const outcome = await this.computeOne(plan, computation, window, due.length - computed - 1);
      // A later window is never recorded before an earlier one: the decider would then refuse the earlier.
      if (outcome === 'waiting') return { computed, remaining: false };
      this.cursors.set(key, Date.parse(window.to));
      computed++;
    }
    return { computed, remaining: due.length > budget };
  }

  /** Where a plan's history starts: after its last computed window, else at its system's first output. */
  private async startOf(plan: PlanRow): Promise<number | undefined> {
    const last = await lastComputedWindow(this.db, plan.tenant_id, plan.system_id, plan.metric);
    if (last) return Date.parse(last);
    const first = await earliestOutput(this.db, plan.tenant_id, plan.system_id);
    return first === undefined ? undefined : Date.parse(first);
  }

  private async computeOne(
    plan: PlanRow,
    computation: MonitoringComputation,
    window: MonitoringWindow,
    remaining: number,
  ): Promise<'recorded' | 'empty' | 'waiting' | 'refused'> {
    const metric = plan.metric as ComputedMetric;
    const where = { tenantId: plan.tenant_id, systemId: plan.system_id, metric, window };
    const reads: WindowReads = {
      response: metric === 'override_rate',
      outcome: OUTCOME_METRICS.includes(metric),
    };
    const read = await this.readWindow(plan, window, reads);
    const values = computeWindow(
      {
        metric,
        minSamples: computation.minSamples,
        positiveLabel: computation.positiveLabel,
        subgroups: computation.subgroups,
      },
      read.records,
    );
    if (values.length === 0 || read.last === undefined) {
      this.logger.log({
        msg: 'monitoring window has no value to record',
        ...where,
        outputs: read.records.length,
        remaining,
      });
      return 'empty';
    }
    const checkpoint = await this.proofs.checkpointCovering(read.last.eventId);
    if (!checkpoint) {
      this.logger.log({
        msg: 'monitoring window waits for a signed checkpoint covering its inputs',
        ...where,
        lastPosition: read.last.position.toString(),
      });
      return 'waiting';
    }
    const live = await liveVersionAt(
      this.db,
      plan.tenant_id,
      plan.system_id,
      new Date(Date.parse(window.to) - 1).toISOString(),
    );
    try {
      await this.aiSystems.handleAsLedger(plan.tenant_id, plan.system_id, (meta) => ({
        type: 'RecordComputedSignal',
        systemId: plan.system_id,
        metric,
        window,
        ...(live?.version ? { version: live.version } : {}),
        checkpoint: {
          treeSize: checkpoint.treeSize,
          rootHash: Buffer.from(checkpoint.rootHash).toString('base64'),
        },
        values: values.map((v) => ({
          value: v.value,
          n: v.n,
          ...(v.subgroup === undefined ? {} : { subgroup: v.subgroup }),
          inputs: {
            throughPosition: read.through.toString(),
            count: v.positions.length,
            firstPosition: v.positions[0].toString(),
            lastPosition: v.positions[v.positions.length - 1].toString(),
            positionsSha256: positionsDigest(v.positions),
          },
        })),
        meta,
      }));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Refused by the rules (another leader recorded the window, the plan changed under us): never retried.
      this.logger.warn({
        msg: 'computed monitoring window refused',
        ...where,
        code: error.code,
        reason: error.message,
      });
      return 'refused';
    }
    this.logger.log({
      msg: 'monitoring window computed',
      ...where,
      outputs: read.records.length,
      values: values.map((v) => ({ subgroup: v.subgroup ?? null, value: v.value, n: v.n })),
      remaining,
    });
    return 'recorded';
  }

  /**
   * The window's outputs as the metric reads them, on one snapshot with the
   * position the read model had reached: every part read is at or below it.
   * Rows stream in pages; only the parts the metric reads are kept.
   */
  private readWindow(plan: PlanRow, window: MonitoringWindow, reads: WindowReads) {
    return this.readStore.inReadSnapshot(async (trx) => {
      const through = await appliedThrough(
        trx as Parameters<typeof appliedThrough>[0],
        clinicalUseProjection.name,
      );
      const read = await windowColumns(trx as ReadDb, plan.tenant_id, plan.system_id, window, reads);
      return { through, ...read };
    });
  }
}
