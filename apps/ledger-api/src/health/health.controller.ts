import { Controller, Get, HttpStatus, Inject, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { MerkleLog } from '@ledger/transparency-log';
import type { FastifyReply } from 'fastify';
import { ProjectionsService } from '../read-models/projections.service';
import { EVENT_STORE } from '../store/event-store.module';

@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private draining = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionsService,
    private readonly log: MerkleLog,
  ) {}

  /** A load balancer stops routing here as soon as shutdown begins, while in-flight requests finish. */
  beforeApplicationShutdown(): void {
    this.draining = true;
  }

  @Get('live')
  live() {
    return { status: 'live' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const store: Record<string, unknown> = { kind: this.store.kind };
    let ready = !this.draining;
    try {
      await this.store.ping();
      store.reachable = true;
    } catch (error) {
      ready = false;
      store.reachable = false;
      store.reason = error instanceof Error ? error.message : String(error);
    }
    reply.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    // Lag is reported, not judged: a projection catching up after a restart still lets the service take writes.
    const projections = store.reachable
      ? (await this.projections.statuses()).map(
          ({ name, position, lagEvents, lagSeconds, running, error }) => ({
            name,
            position: position.toString(),
            lagEvents,
            lagSeconds,
            running,
            ...(error ? { error } : {}),
          }),
        )
      : [];
    // A conflict is an alarm, not unavailability: the ledger still takes writes, but nobody may trust it until investigated.
    const conflicts = this.log.cosigners.flatMap((c) => {
      const { witness, conflict } = c.status();
      return conflict ? [{ witness, ...conflict }] : [];
    });
    return {
      status: ready ? 'ready' : this.draining ? 'shutting_down' : 'not_ready',
      store,
      projections,
      ...(conflicts.length > 0 ? { alerts: ['WITNESS_CONFLICT'], witnessConflicts: conflicts } : {}),
    };
  }
}
