import type {
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  OperationOutcomeIssue,
} from '@medplum/fhirtypes';
import { CALENDAR_RANGE, checkInstant, type InstantRange } from '@ledger/domain';
import { canonicalJson } from '@ledger/integrity';
import { isPatientAgent, pseudonymisedAuditEvent, queryResourceType } from './audit-event-pseudonyms';
import { FHIR_SYSTEMS, uuidFrom } from './fhir-codes';
import { issue, sentResourceIssues } from './sent-resource';

/** One item for the ledger's ingest path (POST /v1/events), so FHIR input is validated and deduplicated the same way. */
export interface IngestItem {
  eventId: string;
  type: 'DataAccessed';
  occurredAt: string;
  data: {
    actor: string;
    action: string;
    purposeOfUse: string;
    outcome: string;
    datasetId?: string;
    resource?: string;
    /** Raw: the ingest path replaces it by the keyed pseudonym before anything is stored. */
    patientId?: string;
    systemId?: string;
  };
}

export type MappedAuditEvent =
  { item: IngestItem; issues: [] } | { item?: undefined; issues: OperationOutcomeIssue[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
/** A reference to a patient, relative or absolute (https://ehr.example/fhir/Patient/123), with the id it names. */
const PATIENT_REFERENCE = /(?:^|\/)Patient\/([^/?#]*)/;
/** BALP's X-Request-Id entity (slice `transaction`): the HTTP request's id, no patient data. */
const X_REQUEST_ID = {
  system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
  code: 'XrequestId',
};
/**
 * The purpose recorded when the AuditEvent gives none (BALP makes purposeOfEvent optional): HL7 v3
 * NullFlavor UNK, "unknown". No grant is for UNK, so an access to a dataset under grants is a finding.
 */
export const UNKNOWN_PURPOSE = 'UNK';
/**
 * The most the ledger keeps of one AuditEvent, as canonical JSON (RFC 8785): far above any BALP record
 * (about 3 KiB), and small enough that a batch of them stays within the body limit.
 */
export const AUDIT_EVENT_MAX_BYTES = 64 * 1024;
/** Stands for each patient pseudonym while the mapping checks where the patient is named; the ingest path applies the keyed one. */
const CHECKING_PSEUDONYM = '0'.repeat(64);
const OUTCOME: Record<string, string> = { '0': 'success', '4': 'denied', '8': 'error', '12': 'error' };

/**
 * Reads an AuditEvent the way IHE BALP writes one (Read with a patient,
 * Query, Create, Update, Delete) into a DataAccessed ingest item:
 *
 * - action (C/R/U/D/E) as is; the requesting agent (requestor = true) is the actor;
 * - purposeOfEvent (or the requestor's purposeOfUse) is the purpose of use; without
 *   either, the purpose is UNK (unknown);
 * - outcome 0 is success, 4 denied, 8 and 12 error;
 * - period.start, else recorded, is when it happened;
 * - the Patient entity (Patient/<id>, also as a full URL, or an identifier with
 *   role Patient) becomes the raw patientId the ingest path pseudonymises; the
 *   patient never appears anywhere else, so a query's parameters are reduced to
 *   its resource type, and a requestor that is a patient (a Patient reference,
 *   an identifier of type MR, PI, PT or PAT, an agent type or role PAT) is refused;
 * - a data entity names the resource (Observation/123) or, with the
 *   identifier system urn:govledger:dataset, the dataset; a query entity (BALP's
 *   base64 raw request, `GET <server>/r4/Observation?patient=...`) names its
 *   resource type; BALP's X-Request-Id entity names nothing accessed;
 * - the whole AuditEvent is kept too (see pseudonymisedAuditEvent): it is refused
 *   if it would name the patient where the ledger cannot pseudonymise it, or if it
 *   is larger than AUDIT_EVENT_MAX_BYTES.
 * - an agent identified in urn:govledger:ai-system names the AI system.
 *
 * The resource is first checked for text no store can hold (a lone
 * surrogate, a control character), then validated against FHIR R4. Every problem is an
 * OperationOutcome issue whose expression names the element, under `path`.
 */
export function auditEventToIngestItem(
  resource: unknown,
  emitterId: string,
  path = 'AuditEvent',
  dates: InstantRange = CALENDAR_RANGE,
): MappedAuditEvent {
  const at = (element: string) => `${path}${element ? `.${element}` : ''}`;
  const refused = sentResourceIssues(resource, 'AuditEvent', path);
  if (refused.length > 0) return { issues: refused };

  const event = resource as AuditEvent;
  const issues: OperationOutcomeIssue[] = [];
  if (!event.action)
    issues.push(
      issue(
        'required',
        at('action'),
        'action is required: C, R, U, D or E (BALP: R read, E query, C create)',
      ),
    );
  if (!event.outcome)
    issues.push(
      issue(
        'required',
        at('outcome'),
        'outcome is required: 0 success, 4 minor failure (recorded as denied), 8 or 12 failure',
      ),
    );

  const requestors = (event.agent ?? [])
    .map((agent, i) => ({ agent, i }))
    .filter(({ agent }) => agent.requestor);
  if (requestors.length !== 1)
    issues.push(
      issue(
        'required',
        at('agent'),
        `exactly one agent must have requestor = true: the person or service that accessed the data (found ${requestors.length})`,
      ),
    );
  const requestor = requestors[0];
  const actor = requestor ? actorOf(requestor.agent) : undefined;
  if (requestor && isPatientAgent(requestor.agent)) {
    issues.push(
      issue(
        'not-supported',
        at(`agent[${requestor.i}].who`),
        'a patient as the requesting agent would put a patient identifier in the actor field; record the access with the patient as an entity',
      ),
    );
  } else if (requestor && !actor) {
    issues.push(
      issue(
        'required',
        at(`agent[${requestor.i}].who`),
        'name who acted: who.identifier.value (e.g. the user id), who.reference or who.display',
      ),
    );
  }
  const systemId = (event.agent ?? [])
    .map((a) => a.who?.identifier)
    .find((id) => id?.system === FHIR_SYSTEMS.aiSystem)?.value;

  const purposeOfUse = purposeOf(event, requestor?.agent) ?? UNKNOWN_PURPOSE;

  const occurredAt = event.period?.start ?? event.recorded;
  // FHIR's own patterns take 30 February and year 0; the ledger keeps only real instants in its plausible range.
  for (const [element, value] of [
    ['recorded', event.recorded],
    ['period.start', event.period?.start],
    ['period.end', event.period?.end],
  ] as const) {
    const { rule } = value === undefined ? {} : checkInstant(value, dates);
    if (rule !== undefined) issues.push(issue('value', at(element), `${element} ${rule}`));
  }

  let patientId: string | undefined;
  let datasetId: string | undefined;
  let resourceName: string | undefined;
  (event.entity ?? []).forEach((entity, i) => {
    const where = at(`entity[${i}]`);
    const patient = patientOf(entity);
    if (patient === null)
      return issues.push(
        issue(
          'required',
          `${where}.what`,
          'the patient entity must name the patient by what.reference Patient/<id> or what.identifier.value',
        ),
      );
    if (patient !== undefined) {
      if (patientId !== undefined && patientId !== patient)
        return issues.push(
          issue(
            'not-supported',
            where,
            'a DataAccessed event is about one patient; send one AuditEvent per patient',
          ),
        );
      patientId = patient;
      return;
    }
    if (entity.type?.system === X_REQUEST_ID.system && entity.type.code === X_REQUEST_ID.code) return;
    if (entity.what?.identifier?.system === FHIR_SYSTEMS.dataset) {
      datasetId = entity.what.identifier.value;
      return;
    }
    const named = resourceOf(entity);
    if (named === null)
      return issues.push(
        issue(
          'value',
          entity.query ? `${where}.query` : `${where}.what`,
          'name the resource accessed: what.reference such as Observation/123, or a query of the form Observation?code=...',
        ),
      );
    resourceName ??= named;
  });
  if (patientId !== undefined && resourceName === undefined && datasetId === undefined)
    resourceName = 'Patient';
  if (resourceName === undefined && datasetId === undefined && issues.length === 0) {
    issues.push(
      issue(
        'required',
        at('entity'),
        'say what was accessed: an entity with what.reference (Observation/123), a query, or a dataset identifier (system urn:govledger:dataset)',
      ),
    );
  }
  issues.push(...keepingIssues(event, path));
  if (issues.length > 0) return { issues };

  return {
    issues: [],
    item: {
      // An emitter's UUID is kept, so resending the same AuditEvent is a duplicate; any other id is made one, per emitter.
      eventId:
        event.id && UUID.test(event.id)
          ? event.id
          : uuidFrom(`fhir/AuditEvent/${emitterId}/${event.id ?? JSON.stringify(event)}`),
      type: 'DataAccessed',
      occurredAt: occurredAt!,
      data: {
        actor: actor!,
        action: event.action!,
        purposeOfUse: purposeOfUse!,
        outcome: OUTCOME[event.outcome!],
        ...(datasetId ? { datasetId } : {}),
        ...(resourceName ? { resource: resourceName } : {}),
        ...(patientId ? { patientId } : {}),
        ...(systemId ? { systemId } : {}),
      },
    },
  };
}

/** Where an ingest problem with an item field sits in the AuditEvent it came from. */
export function elementOfField(field: string, path = 'AuditEvent'): string {
  const element: Record<string, string> = {
    eventId: 'id',
    occurredAt: 'period.start',
    'data.actor': 'agent.who',
    'data.systemId': 'agent.who.identifier',
    'data.purposeOfUse': 'purposeOfEvent',
    'data.action': 'action',
    'data.outcome': 'outcome',
    'data.resource': 'entity.what',
    'data.datasetId': 'entity.what.identifier',
    'data.patientId': 'entity.what',
  };
  return element[field] ? `${path}.${element[field]}` : path;
}

/** Why the AuditEvent cannot be kept as sent: too large, or naming the patient where no pseudonym can replace it. */
function keepingIssues(event: AuditEvent, path: string): OperationOutcomeIssue[] {
  const bytes = Buffer.byteLength(canonicalJson(event), 'utf8');
  if (bytes > AUDIT_EVENT_MAX_BYTES)
    return [
      issue(
        'too-costly',
        path,
        `the AuditEvent is ${bytes} bytes as canonical JSON; the ledger keeps at most ${AUDIT_EVENT_MAX_BYTES} bytes of one (a BALP record is about 3 KiB): leave out what does not describe the access`,
      ),
    ];
  return pseudonymisedAuditEvent(event, () => CHECKING_PSEUDONYM).unsafe.map((unsafe) =>
    issue('not-supported', unsafe.element.replace(/^AuditEvent/, path), unsafe.reason),
  );
}

function actorOf(agent: AuditEventAgent): string | undefined {
  const who = agent.who;
  return who?.identifier?.value ?? who?.reference ?? who?.display ?? agent.altId ?? agent.name;
}

function purposeOf(event: AuditEvent, requestor: AuditEventAgent | undefined): string | undefined {
  const concept = event.purposeOfEvent?.[0] ?? requestor?.purposeOfUse?.[0];
  return concept?.coding?.find((c) => c.code)?.code ?? concept?.text;
}

/** The patient's raw id if the entity is the patient, null if it is the patient but unnamed, undefined if it is not the patient. */
function patientOf(entity: AuditEventEntity): string | null | undefined {
  const reference = entity.what?.reference;
  const isPatientRole = entity.role?.system === FHIR_SYSTEMS.objectRole && entity.role.code === '1';
  const patient = reference === undefined ? null : PATIENT_REFERENCE.exec(reference);
  if (patient) return patient[1] || null;
  if (!isPatientRole) return undefined;
  return entity.what?.identifier?.value ?? null;
}

/**
 * The resource type or reference a data entity names. A query is reduced to
 * its resource type: its parameters can hold a patient's identifier.
 */
function resourceOf(entity: AuditEventEntity): string | null {
  const reference = entity.what?.reference;
  if (entity.query) {
    // BALP's raw request (GET <server>/r4/Observation?...) or the bare form (Observation?...): only the type is kept.
    const request = Buffer.from(entity.query, 'base64').toString('utf8').split('\n')[0];
    const type = reference ? reference.replace(/^\/?/, '').split(/[/?]/)[0] : queryResourceType(request);
    return type !== undefined && RESOURCE_TYPE.test(type) ? type : null;
  }
  // A display is free text and may name a person, so only a reference names what was touched.
  return reference && /^[A-Z][A-Za-z]{1,63}(\/[A-Za-z0-9.-]{1,64})?$/.test(reference) ? reference : null;
}
