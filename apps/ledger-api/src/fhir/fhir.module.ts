import { Module } from '@nestjs/common';
import { IngestService } from '../ingest/ingest.service';
import { FhirAuditEventController } from './fhir-audit-event.controller';

/** FHIR endpoints; their `application/fhir+json` bodies are parsed by the JsonBodyModule, like every JSON body. */
@Module({ controllers: [FhirAuditEventController], providers: [IngestService] })
export class FhirModule {}
