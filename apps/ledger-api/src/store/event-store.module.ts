import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { LedgerConfig, openEventStore } from '@ledger/runtime';
import { serviceStoreOpening } from './service-store-opening';

export const EVENT_STORE = Symbol('EVENT_STORE');

@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [LedgerConfig],
      useFactory: (config: LedgerConfig) => openEventStore(config, serviceStoreOpening('EventStore')),
    },
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Runs after the HTTP server has drained, so every acknowledged append has already committed. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
