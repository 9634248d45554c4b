import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { fhirAuditEventOf } from '@ledger/evidence';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerFrom, mayRead } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { FHIR_JSON } from './fhir-ingest.controller';

/**
 * FHIR read: an AuditEvent by the id the ledger gave it (the Location of its
 * create), as it was sent with its patient identifiers pseudonymised, and the
 * ledger's additions in an extension (fhirAuditEventOf). The readers are
 * GraphQL `dataAccess`'s, with its rules: the caller's tenant only, and for a
 * regulator only the accesses of a system granted to it. Anything else is
 * answered exactly as an id that does not exist, so no caller learns that
 * another tenant's record is there.
 */
@Controller('fhir')
export class FhirReadController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('AuditEvent/:id')
  async readAuditEvent(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const caller = callerFrom(request);
    const [event] = FHIR_ID.test(id) ? await this.store.findByEventIds([id]) : [];
    const readable =
      event?.type === 'DataAccessed' &&
      mayRead(caller, {
        tenantId: event.metadata.tenantId,
        systemId: (event.data as { systemId?: unknown }).systemId,
      });
    void reply.header('content-type', FHIR_JSON);
    if (!readable) return reply.status(404).send(notFound(id));
    return reply.status(200).send(fhirAuditEventOf(event));
  }
}

/** FHIR's id datatype: anything else cannot name a resource, and is not looked up. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function notFound(id: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'not-found',
        expression: ['AuditEvent.id'],
        diagnostics: `no AuditEvent ${FHIR_ID.test(id) ? id : '(not a FHIR id)'} that you may read: the id is the one in the Location of its create (AuditEvent/<id>)`,
      },
    ],
  };
}
