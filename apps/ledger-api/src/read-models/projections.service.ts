import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { PROJECTIONS, projectionConsumer } from '@ledger/read-models';
import { ProjectionRunner, type ProjectionStatus, type ReadStore } from '@ledger/read-store';
import { Gauge } from 'prom-client';
import { LedgerConfig } from '@ledger/runtime';
import { MetricsService } from '../metrics/metrics.service';
import { leadershipFor, type Leadership } from './leadership';
import { EVENT_STORE } from '../store/event-store.module';
import { READ_STORE } from './read-store.module';

/**
 * Runs every read model on its own checkpointed catch-up subscription inside
 * the service, and reports how far behind each is. Other consumers of the
 * log (the Merkle sealer) register their runners here so health and metrics
 * show them too. Only the process holding the projector lock runs them;
 * other replicas stand by and take over when it dies.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly runners: ProjectionRunner[] = [];
  private readonly leadership: Leadership;
  private readonly controller = new AbortController();
  private leading?: Promise<void>;
  private active = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    metrics: MetricsService,
    config: LedgerConfig,
  ) {
    this.leadership = leadershipFor(config, () => void this.lostLeadership());
    const statuses = () => Promise.all(this.runners.map((r) => r.status()));
    new Gauge({
      name: 'ledger_projection_lag_events',
      help: 'Events appended to the store that a projection has not applied yet',
      labelNames: ['projection'],
      registers: [metrics.registry],
      async collect() {
        for (const s of await statuses()) this.set({ projection: s.name }, s.lagEvents);
      },
    });
    new Gauge({
      name: 'ledger_projection_lag_seconds',
      help: 'How long ago the oldest event a projection has not applied was recorded',
      labelNames: ['projection'],
      registers: [metrics.registry],
      async collect() {
        for (const s of await statuses()) this.set({ projection: s.name }, s.lagSeconds);
      },
    });
  }

  register(runner: ProjectionRunner): void {
    this.runners.push(runner);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const definition of PROJECTIONS)
      this.register(
        new ProjectionRunner({
          store: this.store,
          readStore: this.readStore,
          consumer: projectionConsumer(definition as never),
          logger: this.runnerLogger(),
        }),
      );
    this.leading = this.lead();
    // The first start waits for a free lock only briefly: a standby replica serves requests while it waits.
    await Promise.race([this.leading, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  /** Whether this process runs the projections and the sealer (false on a standby replica). */
  get isActive(): boolean {
    return this.active;
  }

  private async lead(): Promise<void> {
    if (!(await this.leadership.acquire(this.controller.signal))) return;
    this.logger.log({ msg: 'projector lock held: this process runs the projections and the sealer' });
    this.active = true;
    for (const runner of this.runners) await runner.start();
  }

  /** The lock's session died: stop at once, then compete for it again like any standby. */
  private async lostLeadership(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.logger.warn({ msg: 'projector lock lost; stopping projections until it is held again' });
    await Promise.all(this.runners.map((r) => r.stop()));
    this.leading = this.lead();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.controller.abort();
    await this.leading;
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.leadership.release();
  }

  statuses(): Promise<ProjectionStatus[]> {
    return Promise.all(this.runners.map((r) => r.status()));
  }

  private runnerLogger() {
    return {
      info: (details: object, message: string) => this.logger.log({ ...details, msg: message }),
      warn: (details: object, message: string) => this.logger.warn({ ...details, msg: message }),
      error: (details: object, message: string) => this.logger.error({ ...details, msg: message }),
    };
  }
}
