import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { PROJECTIONS, ProjectionRunner, projectionConsumer, type ProjectionStatus, type ReadStore } from '@ledger/read-models';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { EVENT_STORE } from '../store/event-store.module';
import { READ_STORE } from './read-store.module';

/**
 * Runs every read model on its own checkpointed catch-up subscription inside
 * the service, and reports how far behind each is. Other consumers of the
 * log (the Merkle sealer) register their runners here so health and metrics
 * show them too.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly runners: ProjectionRunner[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    metrics: MetricsService,
  ) {
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
      this.register(new ProjectionRunner({ store: this.store, readStore: this.readStore, consumer: projectionConsumer(definition as never), logger: this.runnerLogger() }));
    for (const runner of this.runners) await runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
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
