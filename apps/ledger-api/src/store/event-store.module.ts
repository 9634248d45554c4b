import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import {
  EventStoreDbEventStore,
  PostgresEventStore,
  SqliteEventStore,
  type EventStore,
} from '@ledger/event-store';
import { join } from 'node:path';
import { LedgerConfig } from '../config/ledger-config';

export const EVENT_STORE = Symbol('EVENT_STORE');

export function openEventStore(config: LedgerConfig): Promise<EventStore> {
  switch (config.LEDGER_STORE) {
    case 'sqlite':
      return SqliteEventStore.open(join(config.LEDGER_DATA_DIR, 'events.sqlite'), {
        synchronous: config.LEDGER_SQLITE_SYNCHRONOUS,
      });
    case 'postgres':
      return PostgresEventStore.open(config.DATABASE_URL!);
    case 'eventstoredb':
      // Returns without waiting for the cluster: /health/ready reports it unreachable until it answers.
      return EventStoreDbEventStore.open(config.EVENTSTORE_CONNECTION_STRING!);
    default: {
      const unreachable: never = config.LEDGER_STORE;
      throw new Error(`unknown store ${String(unreachable)}`);
    }
  }
}

@Global()
@Module({
  providers: [{ provide: EVENT_STORE, inject: [LedgerConfig], useFactory: openEventStore }],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Runs after the HTTP server has drained, so every acknowledged append has already committed. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
