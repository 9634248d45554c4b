import type { DataAccessedEvent } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { AuditEvent, Extension } from '@medplum/fhirtypes';
import { auditEventOf } from './audit-event';
import { FHIR_SYSTEMS } from './fhir-codes';

/**
 * The ledger's own facts about a served AuditEvent, in one complex extension
 * so that everything else is what the emitter sent: `eventId` (the ledger
 * event), `recordedAt` (the ledger's clock), `digest` and `digestAlgorithm`
 * (of the AuditEvent as received), `pseudonymSystem` (whose keyed pseudonyms
 * replaced the patient identifiers) and `sentId` (the id the emitter gave it).
 */
export const LEDGER_RECORD_EXTENSION = 'urn:govledger:fhir:ledger-record';

/** HMAC-SHA-256 under a key derived from the tenant's pseudonym key (see docs/fhir-auditevent.md). */
const DIGEST_ALGORITHM = 'hmac-sha256';

/**
 * A DataAccessed event as FHIR AuditEvent, served (GET /fhir/AuditEvent) and
 * exported: the AuditEvent the emitter sent, as kept with its patient
 * identifiers pseudonymised, with the ledger event id as its FHIR id and the
 * ledger's additions in LEDGER_RECORD_EXTENSION. An access recorded without
 * one (POST /v1/events, or before the ledger kept them), or whose AuditEvent
 * was erased, is described by the ledger from its event (auditEventOf).
 */
export function fhirAuditEventOf(event: StoredEvent): AuditEvent {
  const kept = (event.data as DataAccessedEvent['data']).fhir;
  // An erased AuditEvent reads ERASED: the ledger then describes the access from what the event still holds.
  if (!kept || typeof kept.resource !== 'object') return auditEventOf(event);
  const { resourceType: _, id: sentId, extension, ...sent } = kept.resource as AuditEvent;
  const record: Extension[] = [
    { url: 'eventId', valueId: event.eventId },
    { url: 'recordedAt', valueInstant: event.metadata.recordedAt },
    { url: 'digest', valueString: kept.digest },
    { url: 'digestAlgorithm', valueCode: DIGEST_ALGORITHM },
    { url: 'pseudonymSystem', valueUri: `${FHIR_SYSTEMS.patientPseudonym}:${event.metadata.tenantId}` },
    ...(sentId === undefined ? [] : [{ url: 'sentId', valueString: sentId }]),
  ];
  return {
    resourceType: 'AuditEvent',
    id: event.eventId,
    ...sent,
    extension: [...(extension ?? []), { url: LEDGER_RECORD_EXTENSION, extension: record }],
  };
}
