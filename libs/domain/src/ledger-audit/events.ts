import { Type } from '@sinclair/typebox';
import { Closed, EventsOf, Principal, Sha256Hex, Text, v1 } from '../shared/schema';

/**
 * The ledger auditing itself: what was refused, and who looked up a patient.
 * Written by the service to `<tenant>/ledger-self-audit`, never by emitters.
 */
export const LEDGER_AUDIT_EVENTS = {
  AccessDenied: v1(
    Closed(
      {
        principal: Type.Optional(Principal('who was refused, when the request carried a verified token')),
        role: Type.Optional(Text('the role the token claimed', 64)),
        operation: Text('what was attempted: an HTTP route or a GraphQL field', 200),
        reason: Text('why it was refused', 500),
        status: Type.Integer({ minimum: 400, maximum: 499, description: 'the HTTP status answered' }),
      },
      { description: 'A request was refused: no or bad credentials, or a role not allowed the operation.' },
    ),
  ),
  PatientLookupPerformed: v1(
    Closed(
      {
        actor: Principal('who looked the patient up'),
        role: Text('the role they acted in', 64),
        patientPseudonym: Sha256Hex('the keyed pseudonym of the patient looked up'),
        operation: Text('the query used', 200),
        purposeOfUse: Type.Optional(Text('the purpose the caller declared', 200)),
      },
      { description: 'Someone searched the ledger for one patient’s data access.' },
    ),
  ),
};

export type LedgerAuditEvent = EventsOf<typeof LEDGER_AUDIT_EVENTS>;
