import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import type { EventStore } from '@ledger/event-store';
import { ProjectionsService } from '../read-models/projections.service';
import { EVENT_STORE } from '../store/event-store.module';

@Resolver()
export class LedgerResolver {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionsService,
  ) {}

  @Query()
  async ledger() {
    return {
      store: this.store.kind,
      headPosition: await this.store.headPosition(),
      projections: await this.projections.statuses(),
    };
  }
}
