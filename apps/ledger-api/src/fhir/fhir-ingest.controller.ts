import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  auditEventToIngestItem,
  elementOfField,
  riskAssessmentElementOf,
  riskAssessmentToIngestItem,
} from '@ledger/evidence';
import type { InstantRange } from '@ledger/domain';
import type { AuditEvent, OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { instantRange, LedgerConfig } from '@ledger/runtime';
import { IngestService, type ItemResult } from '../ingest/ingest.service';
import { callerFrom, givenCorrelationId, type Caller } from '../request-context/caller';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export const outcome = (issue: OperationOutcomeIssue[]): OperationOutcome => ({
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
  403: '403 Forbidden',
  409: '409 Conflict',
};

/** A transaction entry that was valid but not stored because another entry failed: named in no answer of its own. */
const NOT_STORED_STATUS = 424;

/** A FHIR resource the ledger takes in, and how it becomes an ingest item. */
interface FhirIngestRoute {
  resourceType: 'AuditEvent' | 'RiskAssessment';
  eventType: 'DataAccessed' | 'AiOutputProduced';
  map(
    resource: unknown,
    emitterId: string,
    path: string,
    dates: InstantRange,
  ): { item?: unknown; issues: OperationOutcomeIssue[] };
  /** Where an ingest problem with an item field sits in the resource. */
  elementOf(field: string, path: string): string;
  /** Whether the resource itself is kept with its event (pseudonymised on the ingest path), to be served back. */
  keepsOriginal: boolean;
}

const AUDIT_EVENT: FhirIngestRoute = {
  resourceType: 'AuditEvent',
  eventType: 'DataAccessed',
  map: auditEventToIngestItem,
  elementOf: elementOfField,
  keepsOriginal: true,
};
const RISK_ASSESSMENT: FhirIngestRoute = {
  resourceType: 'RiskAssessment',
  eventType: 'AiOutputProduced',
  map: riskAssessmentToIngestItem,
  elementOf: riskAssessmentElementOf,
  keepsOriginal: false,
};

/**
 * FHIR in: AuditEvent (IHE BALP patterns) as DataAccessed, RiskAssessment
 * as AiOutputProduced; a single resource, or a Bundle of type batch or
 * transaction of them. Each is sent through the same ingest path as POST
 * /v1/events, so validation, pseudonymisation, audit-source checks, output
 * findings and idempotency are the same. Answers are FHIR: an
 * OperationOutcome naming the element, or a batch/transaction response.
 */
@Controller('fhir')
export class FhirIngestController {
  constructor(
    private readonly ingest: IngestService,
    private readonly config: LedgerConfig,
  ) {}

  @Post('AuditEvent')
  @HttpCode(200)
  async postAuditEvent(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.receive(AUDIT_EVENT, request, reply);
  }

  @Post('RiskAssessment')
  @HttpCode(200)
  async postRiskAssessment(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.receive(RISK_ASSESSMENT, request, reply);
  }

  private async receive(
    route: FhirIngestRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const caller = callerFrom(request);
    const body = request.body as { resourceType?: unknown } | null;
    const send = (status: number, resource: unknown) =>
      reply.status(status).header('content-type', FHIR_JSON).send(resource);
    if (body?.resourceType === 'Bundle')
      return this.bundle(route, body as BundleIn, caller, givenCorrelationId(request), send);

    const mapped = route.map(body, caller.id, route.resourceType, instantRange(this.config));
    if (!mapped.item) return send(400, outcome(mapped.issues));
    const [result] = (
      await this.ingest.ingest([mapped.item], caller, givenCorrelationId(request), {
        originals: originalsOf(route, [body]),
      })
    ).results;
    const answer = answerOf(route, result, route.resourceType);
    if (answer.location) void reply.header('location', answer.location);
    return send(answer.status, answer.outcome);
  }

  private async bundle(
    route: FhirIngestRoute,
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
            `send a Bundle of type batch or transaction, each entry a ${route.resourceType} to create`,
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
      if (
        request &&
        (request.method !== 'POST' || String(request.url).replace(/\/$/, '') !== route.resourceType)
      ) {
        return {
          issues: [
            problem(
              'not-supported',
              `${path}.request`,
              `each entry creates a ${route.resourceType}: request.method POST, request.url ${route.resourceType}`,
            ),
          ],
        };
      }
      return route.map(entry?.resource, caller.id, `${path}.resource`, instantRange(this.config));
    });

    // A transaction stores every entry or none: any refused entry fails the whole, answered by one OperationOutcome.
    const atomic = bundle.type === 'transaction';
    const unmapped = mapped.flatMap((m) => m.issues);
    if (atomic && unmapped.length > 0) return send(400, outcome(unmapped));

    const valid = mapped.flatMap((m, i) => (m.item ? [{ i, item: m.item }] : []));
    const results =
      valid.length > 0
        ? (
            await this.ingest.ingest(
              valid.map((v) => v.item),
              caller,
              correlationId,
              {
                atomic,
                originals: originalsOf(
                  route,
                  valid.map((v) => entries[v.i]?.resource),
                ),
              },
            )
          ).results
        : [];
    const answers = mapped.map((m, i) => {
      if (!m.item) return { status: 400, outcome: outcome(m.issues) };
      return answerOf(route, results[valid.findIndex((v) => v.i === i)], `Bundle.entry[${i}].resource`);
    });
    if (atomic && answers.some((a) => a.status >= 400)) {
      const failed = answers.filter((a) => a.status >= 400 && a.status !== NOT_STORED_STATUS);
      return send(Math.min(...failed.map((a) => a.status)), outcome(failed.flatMap((a) => a.outcome.issue)));
    }
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
}

/** The resources a route keeps, as sent; they reach the store only through the ingest path's pseudonymisation. */
function originalsOf(route: FhirIngestRoute, resources: unknown[]): AuditEvent[] | undefined {
  return route.keepsOriginal ? (resources as AuditEvent[]) : undefined;
}

interface BundleIn {
  resourceType: 'Bundle';
  type?: unknown;
  entry?: Array<{ resource?: unknown; request?: { method?: unknown; url?: unknown } } | null>;
}

/** Item refusals as FHIR answers them: the status and the OperationOutcome issue code. */
const REFUSAL: Record<string, { status: number; code: OperationOutcomeIssue['code'] }> = {
  EVENT_ID_REUSED: { status: 409, code: 'conflict' },
  NOT_AUDIT_SOURCE: { status: 403, code: 'forbidden' },
  NOT_STORED: { status: NOT_STORED_STATUS, code: 'incomplete' },
};

/** What each finding raised on an output means, for the FHIR client that sent it. */
const FINDING_TEXT: Record<string, string> = {
  VERSION_MISMATCH:
    'VERSION_MISMATCH: the model version the output is stamped with was not the version live in the registry at occurrenceDateTime; the output is recorded and the finding raised',
  USE_AFTER_TAKEDOWN:
    'USE_AFTER_TAKEDOWN: the AI system was suspended or retired at occurrenceDateTime; the output is recorded and the finding raised',
};

function answerOf(
  route: FhirIngestRoute,
  result: ItemResult,
  path: string,
): { status: number; location?: string; outcome: OperationOutcome } {
  if (result.status === 'rejected') {
    const { status, code } = REFUSAL[result.error.code] ?? { status: 400, code: 'invalid' as const };
    const issues = (result.error.problems ?? [result.error]).map((p) =>
      problem(code, route.elementOf(p.field ?? '', path), p.message),
    );
    return { status, outcome: outcome(issues) };
  }
  const recorded = result.status === 'accepted' ? 'recorded' : 'already recorded (a resend)';
  return {
    status: result.status === 'accepted' ? 201 : 200,
    location: `${route.resourceType}/${result.ledgerEventId}`,
    outcome: outcome([
      {
        severity: 'information',
        code: 'informational',
        diagnostics: `${recorded} as ${route.eventType} event ${result.ledgerEventId} at ledger position ${result.position}; the patient is stored only as a keyed pseudonym`,
      },
      ...(result.findings ?? []).map((finding): OperationOutcomeIssue => ({
        severity: 'warning',
        code: 'business-rule',
        expression: [path],
        diagnostics: FINDING_TEXT[finding],
      })),
    ]),
  };
}
