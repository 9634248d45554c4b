import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { FhirAuditEventController } from './fhir-audit-event.controller';

/** FHIR endpoints; their `application/fhir+json` bodies are parsed like every JSON body (see http/bounded-json). */
@Module({ imports: [IngestModule], controllers: [FhirAuditEventController] })
export class FhirModule {}
