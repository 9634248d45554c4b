import { Module } from '@nestjs/common';
import { LegalHoldCommands } from '../commands/handle-command';
import { LegalHoldQueriesResolver } from './legal-hold-queries.resolver';
import { PlaceLegalHoldResolver } from './place-legal-hold.resolver';
import { ReleaseLegalHoldResolver } from './release-legal-hold.resolver';

/** Legal holds on the tenant's legal-holds stream, and the retention report they suspend entries of. */
@Module({
  providers: [LegalHoldCommands, PlaceLegalHoldResolver, ReleaseLegalHoldResolver, LegalHoldQueriesResolver],
})
export class LegalHoldsModule {}
