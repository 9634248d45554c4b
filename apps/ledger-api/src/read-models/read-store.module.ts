import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { openReadStore, type ReadStore } from '@ledger/read-store';
import { join } from 'node:path';
import { LedgerConfig } from '../config/ledger-config';

export const READ_STORE = Symbol('READ_STORE');

/** One read store per process: SQLite allows one writer, and two handles in one process would wait on each other. */
export function openConfiguredReadStore(config: LedgerConfig): Promise<ReadStore> {
  return config.LEDGER_READ_STORE === 'postgres'
    ? openReadStore({ kind: 'postgres', databaseUrl: config.DATABASE_URL })
    : openReadStore({ kind: 'sqlite', sqliteFile: join(config.LEDGER_DATA_DIR, 'read.sqlite') });
}

@Global()
@Module({
  providers: [{ provide: READ_STORE, inject: [LedgerConfig], useFactory: openConfiguredReadStore }],
  exports: [READ_STORE],
})
export class ReadStoreModule implements OnApplicationShutdown {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  /** After the runners stopped (beforeApplicationShutdown): nothing writes any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.readStore.close();
  }
}
