import {
  EventStoreDbEventStore,
  PostgresEventStore,
  SqliteEventStore,
  type EventStore,
  type WalCheckpointThreadOptions,
} from '@ledger/event-store';
import { erasableFieldsOf } from '@ledger/domain';
import { openReadStore, type ReadStore } from '@ledger/read-store';
import { join } from 'node:path';
import type { LedgerConfig } from './ledger-config';

/** How a process opens its stores: the service, a long-lived writer, passes `walCheckpointThread`; a CLI command does not. */
export interface StoreOpening {
  /** SQLite files' WAL checkpointed on a thread rather than inside commits (see WalCheckpointThread). */
  walCheckpointThread?: WalCheckpointThreadOptions;
}

/** The event store the configuration names; the service and the CLI open it the same way, so they find the same ledger. */
export function openEventStore(config: LedgerConfig, opening: StoreOpening = {}): Promise<EventStore> {
  switch (config.LEDGER_STORE) {
    case 'sqlite':
      return SqliteEventStore.open(join(config.LEDGER_DATA_DIR, 'events.sqlite'), {
        synchronous: config.LEDGER_SQLITE_SYNCHRONOUS,
        erasableFields: erasableFieldsOf,
        walCheckpointThread: opening.walCheckpointThread,
      });
    case 'postgres':
      return PostgresEventStore.open(config.DATABASE_URL!, { erasableFields: erasableFieldsOf });
    case 'eventstoredb':
      // Returns without waiting for the cluster: /health/ready reports it unreachable until it answers.
      return EventStoreDbEventStore.open(config.EVENTSTORE_CONNECTION_STRING!);
    default: {
      const unreachable: never = config.LEDGER_STORE;
      throw new Error(`unknown store ${String(unreachable)}`);
    }
  }
}

/** One read store per process: SQLite allows one writer, and two handles in one process would wait on each other. */
export function openConfiguredReadStore(
  config: LedgerConfig,
  opening: StoreOpening = {},
): Promise<ReadStore> {
  return config.LEDGER_READ_STORE === 'postgres'
    ? openReadStore({ kind: 'postgres', databaseUrl: config.DATABASE_URL })
    : openReadStore({
        kind: 'sqlite',
        sqliteFile: join(config.LEDGER_DATA_DIR, 'read.sqlite'),
        walCheckpointThread: opening.walCheckpointThread,
      });
}
