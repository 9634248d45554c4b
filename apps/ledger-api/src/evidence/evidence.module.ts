import { Module } from '@nestjs/common';
import { FhirModule } from '../fhir/fhir.module';
import { EvidenceDownloadController } from './evidence-download.controller';
import { EvidenceExportService } from './evidence-export.service';
import { EvidenceResolver } from './evidence.resolver';

/** Evidence bundles for regulators (made on request, recorded in the ledger, downloaded once made), and FHIR AuditEvent in. */
@Module({
  imports: [FhirModule],
  controllers: [EvidenceDownloadController],
  providers: [EvidenceExportService, EvidenceResolver],
})
export class EvidenceModule {}
