import { Type, type Static } from '@sinclair/typebox';
import {
  Closed,
  EventsOf,
  Instant,
  Principal,
  PatientPseudonym,
  Sha256Hex,
  Text,
  v1,
  v2,
} from '../shared/schema';

const AccessDeniedV1 = Closed(
  {
    principal: Type.Optional(Principal('who was refused, when the request carried a verified token')),
    role: Type.Optional(Text('the role the token claimed', 64)),
    operation: Text('what was attempted: an HTTP route or a GraphQL field', 200),
    reason: Text('why it was refused', 500),
    status: Type.Integer({ minimum: 400, maximum: 499, description: 'the HTTP status answered' }),
  },
  { description: 'A request was refused: no or bad credentials, or a role not allowed the operation.' },
);

/**
 * The ledger auditing itself: what was refused, who looked up a patient, and who exported data access.
 * Written by the service to `<tenant>/ledger-self-audit`, never by emitters.
 */
export const LEDGER_AUDIT_EVENTS = {
  // v2 counts: one event per caller, operation, status and reason in a minute, so a flood of refusals cannot flood the log.
  AccessDenied: v2(
    Closed(
      {
        principal: Type.Optional(Principal('who was refused, when the request carried a verified token')),
        role: Type.Optional(Text('the role the token claimed', 64)),
        address: Type.Optional(
          Text('the client address refused, when the request carried no verified token', 64),
        ),
        operation: Text('what was attempted: an HTTP route or a GraphQL field', 200),
        reason: Text('why it was refused', 500),
        status: Type.Integer({ minimum: 400, maximum: 499, description: 'the HTTP status answered' }),
        count: Type.Integer({ minimum: 1, description: 'how many requests were refused alike' }),
        firstAt: Instant('when the first of them was refused'),
        lastAt: Instant('when the last of them was refused, within the same minute'),
      },
      {
        description:
          'Requests refused alike within one minute: no or bad credentials, a role not allowed the operation, or a rate limit.',
      },
    ),
  ),
  PatientLookupPerformed: v1(
    Closed(
      {
        actor: Principal('who looked the patient up'),
        role: Text('the role they acted in', 64),
        patientPseudonym: PatientPseudonym('the keyed pseudonym of the patient looked up'),
        operation: Text('the query used', 200),
        purposeOfUse: Type.Optional(Text('the purpose the caller declared', 200)),
      },
      { description: 'Someone searched the ledger for one patient’s data access.' },
    ),
  ),
  DataAccessExported: v1(
    Closed(
      {
        actor: Principal('who exported the data-access records'),
        role: Text('the role they acted in', 64),
        operation: Text('the query used', 200),
        filter: Text('the search exported, as JSON, without its patient (that is patientPseudonym)', 2000),
        patientPseudonym: Type.Optional(
          PatientPseudonym('the keyed pseudonym of the patient the search named'),
        ),
        rowCount: Type.Integer({ minimum: 0, description: 'how many data-access records the export holds' }),
        csvSha256: Sha256Hex('the SHA-256 of the CSV handed out'),
      },
      { description: 'Someone took a data-access search away from the ledger as a CSV file.' },
    ),
  ),
};

export const SUPERSEDED_LEDGER_AUDIT_EVENTS = {
  AccessDenied: [v1(AccessDeniedV1)],
};

export type LedgerAuditEvent = EventsOf<typeof LEDGER_AUDIT_EVENTS>;

/**
 * AccessDenied v1 → v2. A v1 event recorded one refusal, at the time its
 * envelope says it occurred: a count of one, first and last at that time.
 */
export function upcastAccessDeniedV1(
  data: Static<typeof AccessDeniedV1>,
  occurredAt: string,
): Extract<LedgerAuditEvent, { type: 'AccessDenied' }>['data'] {
  return { ...data, count: 1, firstAt: occurredAt, lastAt: occurredAt };
}
