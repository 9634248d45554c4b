import { Global, Module } from '@nestjs/common';
import { LedgerConfig } from '@ledger/runtime';
import { Pseudonymiser } from './pseudonymiser';

@Global()
@Module({
  providers: [
    {
      provide: Pseudonymiser,
      inject: [LedgerConfig],
      useFactory: (c: LedgerConfig) => Pseudonymiser.load(c.LEDGER_DATA_DIR, c.LEDGER_PSEUDONYM_KEY),
    },
  ],
  exports: [Pseudonymiser],
})
export class PrivacyModule {}
