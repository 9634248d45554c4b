import { Module } from '@nestjs/common';
import { AuditSources } from './audit-sources';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { RegistryHistories } from './registry-histories';

/** One ingest path, shared by POST /v1/events and FHIR, so both share its checks and its audit-source memory. */
@Module({
  controllers: [IngestController],
  providers: [IngestService, AuditSources, RegistryHistories],
  exports: [IngestService],
})
export class IngestModule {}
