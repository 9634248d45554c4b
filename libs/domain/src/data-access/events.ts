import { Type } from '@sinclair/typebox';
import {
  Closed,
  erasable,
  EventsOf,
  Id,
  PatientPseudonym,
  Sha256Hex,
  StringEnum,
  Text,
  v1,
} from '../shared/schema';

/**
 * Data-access events are emitted by clinical and data services in volume and
 * appended without loading an aggregate, to `data-access-<sourceService>`.
 */

/** C/R/U/D as usual; E is execute (running a query or a model over the data), as in FHIR AuditEvent.action. */
export const DATA_ACCESS_ACTIONS = ['C', 'R', 'U', 'D', 'E'] as const;
export type DataAccessAction = (typeof DATA_ACCESS_ACTIONS)[number];

export const DATA_ACCESS_OUTCOMES = ['success', 'denied', 'error'] as const;
export type DataAccessOutcome = (typeof DATA_ACCESS_OUTCOMES)[number];

/** Text that names a patient by FHIR reference, relative or absolute, by id or by query: `Patient/…`, `…/Patient?…`. */
const NAMES_A_PATIENT = '[\\s\\S]*(?:^|/)[Pp]atient[/?]';

export const DATA_ACCESS_EVENTS = {
  DataAccessed: v1(
    Closed(
      {
        actor: erasable(
          'person',
          Type.String({
            minLength: 1,
            maxLength: 256,
            pattern: `^(?!${NAMES_A_PATIENT})[\\s\\S]*\\S`,
            description:
              'the person or service that touched the data (non-blank text, at most 256 characters), never a patient reference such as Patient/<id>: a patient is named only in patientId, which the ledger pseudonymises',
          }),
        ),
        datasetId: Type.Optional(Id('the dataset accessed; required unless resource is given')),
        resource: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 500,
            // A reference to a patient (Patient/123, https://ehr/fhir/Patient/123) or a query's parameters
            // (Observation?subject=123) would carry a raw patient id into the ledger.
            pattern: `^(?!${NAMES_A_PATIENT})(?![\\s\\S]*\\?)\\S`,
            description:
              'the resource accessed, e.g. Observation, Observation/123 or a report URL; never a reference to a patient (Patient/<id>, also as a full URL) and never with a query (its parameters can name a patient): the patient goes in patientId, stored only as patientPseudonym; required unless datasetId is given',
          }),
        ),
        patientPseudonym: Type.Optional(
          PatientPseudonym(
            'the keyed HMAC-SHA-256 pseudonym of the patient; raw patient identifiers are never accepted',
          ),
        ),
        action: StringEnum(DATA_ACCESS_ACTIONS, 'what was done: create, read, update, delete or execute'),
        purposeOfUse: Text('why the data was accessed, e.g. the HL7 PurposeOfUse code TREAT', 200),
        outcome: StringEnum(DATA_ACCESS_OUTCOMES, 'how the access ended'),
        sourceService: Id('the service that emitted this event'),
        systemId: Type.Optional(Id('the AI system on whose behalf the data was accessed')),
        fhir: Type.Optional(
          Closed(
            {
              resource: erasable(
                'patient',
                Type.Object(
                  { resourceType: Type.Literal('AuditEvent') },
                  {
                    additionalProperties: true,
                    description:
                      'the FHIR R4 AuditEvent as sent, every patient identifier in it replaced by its keyed pseudonym (references Patient/<id>, patient identifiers, patient parameters of a query)',
                  },
                ),
              ),
              digest: Sha256Hex(
                "HMAC-SHA-256, under a key derived from the tenant's pseudonym key, of the tenant id, a NUL and the RFC 8785 canonical JSON of the AuditEvent as received, before pseudonymisation",
              ),
            },
            {
              description:
                'set by the ledger only, for an access recorded through POST /fhir/AuditEvent: what was sent, so it can be served back; refused on POST /v1/events',
            },
          ),
        ),
      },
      {
        description: 'Someone or something touched data; the audit trail of data access.',
        anyOf: [{ required: ['datasetId'] }, { required: ['resource'] }],
      },
    ),
  ),
};

export type DataAccessedEvent = EventsOf<typeof DATA_ACCESS_EVENTS>;
