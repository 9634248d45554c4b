import { Module } from '@nestjs/common';
import { LedgerConfig } from '../config/ledger-config';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

@Module({
  controllers: [IngestController],
  providers: [IngestService, { provide: Pseudonymiser, inject: [LedgerConfig], useFactory: (c: LedgerConfig) => Pseudonymiser.load(c.LEDGER_DATA_DIR, c.LEDGER_PSEUDONYM_KEY) }],
  exports: [Pseudonymiser],
})
export class IngestModule {}
