import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { FhirIngestController } from './fhir-ingest.controller';
import { FhirReadController } from './fhir-read.controller';

/** FHIR endpoints (create, and read by id); their `application/fhir+json` bodies are parsed like every JSON body (see http/bounded-json). */
@Module({ imports: [IngestModule], controllers: [FhirIngestController, FhirReadController] })
export class FhirModule {}
