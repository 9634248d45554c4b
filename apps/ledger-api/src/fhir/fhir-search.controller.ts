import { Controller, Get, Req, Res } from '@nestjs/common';
import { capabilityStatement } from '@ledger/evidence';
import { repoRoot } from '@ledger/platform';
import { LedgerConfig } from '@ledger/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callerFrom } from '../request-context/caller';
import { FHIR_JSON, outcome } from './fhir-ingest.controller';
import { FhirSearchService } from './fhir-search.service';

/** FHIR out: AuditEvent search (IHE ITI-81) and the CapabilityStatement that says what this endpoint serves. */
@Controller('fhir')
export class FhirSearchController {
  private readonly capabilities = capabilityStatement(
    (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version,
  );

  constructor(
    private readonly searches: FhirSearchService,
    private readonly config: LedgerConfig,
  ) {}

  @Get('metadata')
  metadata(@Res() reply: FastifyReply): FastifyReply {
    return reply.status(200).header('content-type', FHIR_JSON).send(this.capabilities);
  }

  @Get('AuditEvent')
  async searchAuditEvents(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const url = request.raw.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    // Links name the address clients reach the ledger at: LEDGER_URL behind a proxy, else the request's own.
    const base = (this.config.LEDGER_URL ?? `${request.protocol}://${request.host}`).replace(/\/$/, '');
    const answer = await this.searches.search(callerFrom(request), query, base);
    const send = (status: number, body: unknown) =>
      reply.status(status).header('content-type', FHIR_JSON).send(body);
    return 'bundle' in answer ? send(200, answer.bundle) : send(answer.status, outcome(answer.issues));
  }
}
