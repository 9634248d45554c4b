import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { IngestModule } from '../ingest/ingest.module';
import { FhirAuditEventController } from './fhir-audit-event.controller';

/** FHIR endpoints. FHIR clients send `application/fhir+json`, which Fastify does not parse unless told to. */
@Module({ imports: [IngestModule], controllers: [FhirAuditEventController] })
export class FhirModule implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('application/fhir+json')) return;
    fastify.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
      }
    });
  }
}
