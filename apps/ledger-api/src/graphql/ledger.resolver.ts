import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE } from '../store/event-store.module';

@Resolver()
export class LedgerResolver {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Query()
  async ledger() {
    return { store: this.store.kind, headPosition: await this.store.headPosition() };
  }
}
