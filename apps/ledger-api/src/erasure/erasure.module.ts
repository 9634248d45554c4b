import { Module } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE } from '../store/event-store.module';
import { ErasureService } from './erasure.service';
import { LEGAL_HOLDS, StoredLegalHolds } from './legal-holds';
import { RequestErasureResolver } from './request-erasure.resolver';

/** Erasure of personal data on a data protection officer's decision, every hash kept. */
@Module({
  providers: [
    ErasureService,
    RequestErasureResolver,
    {
      provide: LEGAL_HOLDS,
      inject: [EVENT_STORE],
      useFactory: (store: EventStore) => new StoredLegalHolds(store),
    },
  ],
})
export class ErasureModule {}
