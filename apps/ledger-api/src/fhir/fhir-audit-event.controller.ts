import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { auditEventToIngestItem, elementOfField, type IngestItem } from '@ledger/evidence';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LedgerConfig } from '@ledger/runtime';
import { toIngestedEvent } from '../ingest/ingest-item';
import { IngestService, type ItemResult } from '../ingest/ingest.service';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import { callerFrom, givenCorrelationId, type Caller } from '../request-context/caller';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const outcome = (issue: OperationOutcomeIssue[]): OperationOutcome => ({
  resourceType: 'OperationOutcome',
  issue,
});
const problem = (
  code: OperationOutcomeIssue['code'],
  expression: string,
  diagnostics: string,
): OperationOutcomeIssue => ({ severity: 'error', code, expression: [expression], diagnostics });

/** HTTP status lines as FHIR batch responses spell them. */
const STATUS_LINE: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  400: '400 Bad Request',
  409: '409 Conflict',
};

/**
 * FHIR AuditEvent in: a single resource, or a Bundle of type batch or
 * transaction, mapped to DataAccessed events (IHE BALP patterns) and sent
 * through the same ingest path as POST /v1/events, so validation,
 * pseudonymisation and idempotency are the same. Answers are FHIR:
 * an OperationOutcome naming the element, or a batch/transaction response.
 */
@Controller('fhir')
export class FhirAuditEventController {
  constructor(
    private readonly ingest: IngestService,
    private readonly pseudonymiser: Pseudonymiser,
    private readonly config: LedgerConfig,
  ) {}

  @Post('AuditEvent')
  @HttpCode(200)
  async post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const caller = callerFrom(request);
    const body = request.body as { resourceType?: unknown } | null;
    const send = (status: number, resource: unknown) =>
      reply.status(status).header('content-type', FHIR_JSON).send(resource);
    if (body?.resourceType === 'Bundle')
      return this.bundle(body as BundleIn, caller, givenCorrelationId(request), send);

    const mapped = auditEventToIngestItem(body, caller.id);
    if (!mapped.item) return send(400, outcome(mapped.issues));
    const [result] = (await this.ingest.ingest([mapped.item], caller, givenCorrelationId(request))).results;
    const answer = answerOf(result, 'AuditEvent');
    if (answer.location) void reply.header('location', answer.location);
    return send(answer.status, answer.outcome);
  }

  private async bundle(
    bundle: BundleIn,
    caller: Caller,
    correlationId: string | undefined,
    send: (status: number, resource: unknown) => FastifyReply,
  ): Promise<FastifyReply> {
    if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
      return send(
        400,
        outcome([
          problem(
            'not-supported',
            'Bundle.type',
            'send a Bundle of type batch or transaction, each entry an AuditEvent to create',
          ),
        ]),
      );
    }
    const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
    const max = this.config.LEDGER_INGEST_MAX_BATCH;
    if (entries.length === 0 || entries.length > max) {
      return send(
        400,
        outcome([
          problem(
            'invalid',
            'Bundle.entry',
            `a Bundle holds 1 to ${max} entries (LEDGER_INGEST_MAX_BATCH); split it`,
          ),
        ]),
      );
    }
    const mapped = entries.map((entry, i) => {
      const path = `Bundle.entry[${i}]`;
      const request = entry?.request;
      if (request && (request.method !== 'POST' || !/^AuditEvent\/?$/.test(String(request.url)))) {
        return {
          issues: [
            problem(
              'not-supported',
              `${path}.request`,
              'each entry creates an AuditEvent: request.method POST, request.url AuditEvent',
            ),
          ],
        };
      }
      return auditEventToIngestItem(entry?.resource, caller.id, `${path}.resource`);
    });

    if (bundle.type === 'transaction') {
      // All or nothing: every entry must pass the very checks ingest applies before any is stored.
      const issues = mapped.flatMap((m, i) =>
        m.item ? this.ingestProblems(m.item, caller, `Bundle.entry[${i}].resource`) : m.issues,
      );
      if (issues.length > 0) return send(400, outcome(issues));
    }

    const valid = mapped.flatMap((m, i) => (m.item ? [{ i, item: m.item }] : []));
    const results =
      valid.length > 0
        ? (
            await this.ingest.ingest(
              valid.map((v) => v.item),
              caller,
              correlationId,
            )
          ).results
        : [];
    const answers = mapped.map((m, i) => {
      if (!m.item) return { status: 400, outcome: outcome(m.issues) };
      return answerOf(results[valid.findIndex((v) => v.i === i)], `Bundle.entry[${i}].resource`);
    });
    return send(200, {
      resourceType: 'Bundle',
      type: `${bundle.type}-response`,
      entry: answers.map((a) => ({
        response: {
          status: STATUS_LINE[a.status],
          ...(a.location ? { location: a.location } : {}),
          outcome: a.outcome,
        },
      })),
    });
  }

  private ingestProblems(item: IngestItem, caller: Caller, path: string): OperationOutcomeIssue[] {
    const { problems } = toIngestedEvent(item, caller, undefined, this.pseudonymiser);
    return problems.map((p) => problem('invalid', elementOfField(p.field, path), p.message));
  }
}

interface BundleIn {
  resourceType: 'Bundle';
  type?: unknown;
  entry?: Array<{ resource?: unknown; request?: { method?: unknown; url?: unknown } } | null>;
}

function answerOf(
  result: ItemResult,
  path: string,
): { status: number; location?: string; outcome: OperationOutcome } {
  if (result.status === 'rejected') {
    const conflict = result.error.code === 'EVENT_ID_REUSED';
    const issues = (result.error.problems ?? [result.error]).map((p) =>
      problem(conflict ? 'conflict' : 'invalid', elementOfField(p.field ?? '', path), p.message),
    );
    return { status: conflict ? 409 : 400, outcome: outcome(issues) };
  }
  const recorded = result.status === 'accepted' ? 'recorded' : 'already recorded (a resend)';
  return {
    status: result.status === 'accepted' ? 201 : 200,
    location: `AuditEvent/${result.eventId}`,
    outcome: outcome([
      {
        severity: 'information',
        code: 'informational',
        diagnostics: `${recorded} as DataAccessed event ${result.eventId} at ledger position ${result.position}; the patient is stored only as a keyed pseudonym`,
      },
    ]),
  };
}
