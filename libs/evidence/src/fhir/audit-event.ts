import type { DataAccessedEvent } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { AuditEvent, AuditEventEntity, Reference } from '@medplum/fhirtypes';
import { FHIR_SYSTEMS, OUTCOME_CODE, purposeConcept, SUBTYPE_OF_ACTION } from './fhir-codes';

type Access = DataAccessedEvent['data'];

const RESOURCE_REFERENCE = /^[A-Z][A-Za-z]{1,63}(\/[A-Za-z0-9.-]{1,64})?$/;

/**
 * A DataAccessed event as a FHIR R4 AuditEvent in the shape of IHE BALP's
 * RESTful patterns: the REST interaction, who asked and why, the service that
 * observed it, and what was touched. The patient is named only by the
 * ledger's pseudonym; the resource id is the ledger's event id.
 *
 * It names no BALP profile in meta.profile: every BALP RESTful profile requires
 * a client and a server agent, each with its network address (agent[client]
 * and agent[server].network 1..1), and a DataAccessed event records neither,
 * so a claim would need facts the ledger does not have.
 */
export function auditEventOf(event: StoredEvent): AuditEvent {
  const data = event.data as Access;
  const entity: AuditEventEntity[] = [];
  if (data.patientPseudonym) {
    entity.push({
      what: {
        // The pseudonym identifies a patient; saying so lets a reader tell it from any other identifier.
        type: 'Patient',
        identifier: {
          system: `${FHIR_SYSTEMS.patientPseudonym}:${event.metadata.tenantId}`,
          value: data.patientPseudonym,
        },
      },
      type: { system: FHIR_SYSTEMS.entityType, code: '1', display: 'Person' },
      role: { system: FHIR_SYSTEMS.objectRole, code: '1', display: 'Patient' },
    });
  }
  const dataEntity = (what: Reference): AuditEventEntity => ({
    what,
    type: { system: FHIR_SYSTEMS.entityType, code: '2', display: 'System Object' },
    role: { system: FHIR_SYSTEMS.objectRole, code: '4', display: 'Domain Resource' },
  });
  if (data.datasetId)
    entity.push(dataEntity({ identifier: { system: FHIR_SYSTEMS.dataset, value: data.datasetId } }));
  if (data.resource)
    entity.push(
      dataEntity(
        RESOURCE_REFERENCE.test(data.resource) && data.resource.includes('/')
          ? { reference: data.resource }
          : { display: data.resource },
      ),
    );

  return {
    resourceType: 'AuditEvent',
    id: event.eventId,
    meta: { source: `${FHIR_SYSTEMS.ledgerEvent}:${event.eventId}` },
    type: { system: FHIR_SYSTEMS.auditEventType, code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: FHIR_SYSTEMS.restfulInteraction, code: SUBTYPE_OF_ACTION[data.action] }],
    action: data.action,
    period: { start: event.metadata.occurredAt, end: event.metadata.occurredAt },
    recorded: event.metadata.recordedAt,
    outcome: OUTCOME_CODE[data.outcome],
    purposeOfEvent: [purposeConcept(data.purposeOfUse)],
    agent: [
      {
        type: {
          coding: [
            { system: FHIR_SYSTEMS.participationType, code: 'IRCP', display: 'information recipient' },
          ],
        },
        who: { identifier: { value: data.actor } },
        requestor: true,
      },
      ...(data.systemId
        ? [
            {
              type: { text: 'AI system on whose behalf the data was accessed' },
              who: { identifier: { system: FHIR_SYSTEMS.aiSystem, value: data.systemId } },
              requestor: false,
            },
          ]
        : []),
    ],
    source: {
      site: event.metadata.tenantId,
      observer: { identifier: { value: data.sourceService }, display: data.sourceService },
      type: [{ system: FHIR_SYSTEMS.securitySourceType, code: '4', display: 'Application Server' }],
    },
    ...(entity.length > 0 ? { entity } : {}),
  };
}
