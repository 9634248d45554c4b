import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { FhirIngestController } from './fhir-ingest.controller';
import { FhirReadController } from './fhir-read.controller';
import { FhirSearchController } from './fhir-search.controller';
import { FhirSearchService } from './fhir-search.service';

/** FHIR endpoints (create, read by id, search); their `application/fhir+json` bodies are parsed like every JSON body (see http/bounded-json). */
@Module({
  imports: [IngestModule],
  controllers: [FhirIngestController, FhirReadController, FhirSearchController],
  providers: [FhirSearchService],
})
export class FhirModule {}
