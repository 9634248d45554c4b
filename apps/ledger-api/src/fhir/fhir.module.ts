import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { FhirIngestController } from './fhir-ingest.controller';

/** FHIR endpoints; their `application/fhir+json` bodies are parsed like every JSON body (see http/bounded-json). */
@Module({ imports: [IngestModule], controllers: [FhirIngestController] })
export class FhirModule {}
