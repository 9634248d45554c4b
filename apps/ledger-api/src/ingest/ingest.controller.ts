import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LedgerConfig } from '@ledger/runtime';
import { ProblemError } from '../errors/problem';
import { callerFrom, givenCorrelationId } from '../request-context/caller';
import { IngestService, type IngestResult } from './ingest.service';

@Controller('v1/events')
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    private readonly config: LedgerConfig,
  ) {}

  /** 200 with one result per item: accepted, duplicate (already stored; safe to resend) or rejected with the field and rule. */
  @Post()
  @HttpCode(200)
  async post(@Body() body: unknown, @Req() request: FastifyRequest): Promise<IngestResult> {
    const caller = callerFrom(request);
    const events = (body as { events?: unknown } | null)?.events;
    if (!Array.isArray(events) || events.length === 0)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'events',
        message: 'send a JSON object {"events": [...]} with at least one item',
      });
    const max = this.config.LEDGER_INGEST_MAX_BATCH;
    if (events.length > max)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'events',
        message: `a batch holds at most ${max} items (LEDGER_INGEST_MAX_BATCH); split it`,
      });
    return this.ingest.ingest(events, caller, givenCorrelationId(request));
  }
}
