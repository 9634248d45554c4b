import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ReadStore } from '@ledger/read-store';
import { LedgerConfig, openConfiguredReadStore } from '@ledger/runtime';
import { serviceStoreOpening } from '../store/service-store-opening';

export const READ_STORE = Symbol('READ_STORE');

@Global()
@Module({
  providers: [
    {
      provide: READ_STORE,
      inject: [LedgerConfig],
      useFactory: (config: LedgerConfig) => openConfiguredReadStore(config, serviceStoreOpening('ReadStore')),
    },
  ],
  exports: [READ_STORE],
})
export class ReadStoreModule implements OnApplicationShutdown {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  /** After the runners stopped (beforeApplicationShutdown): nothing writes any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.readStore.close();
  }
}
