/** Stable resource ids are named the way the ledger names every derived id. */
export { uuidFrom } from '@ledger/domain';

/** Code systems used in and out: HL7's where one fits, the ledger's own URNs for its identifiers. */
export const FHIR_SYSTEMS = {
  auditEventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  restfulInteraction: 'http://hl7.org/fhir/restful-interaction',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  securitySourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  provenanceParticipant: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  dataOperation: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  /** A patient as the ledger knows one: the keyed pseudonym, never an identifier. */
  patientPseudonym: 'urn:govledger:patient-pseudonym',
  dataset: 'urn:govledger:dataset',
  aiSystem: 'urn:govledger:ai-system',
  modelVersion: 'urn:govledger:model-version',
  ledgerEvent: 'urn:govledger:event',
  /** Evidence a decision cited that the ledger cannot resolve: the reference as the decider wrote it. */
  evidence: 'urn:govledger:evidence',
} as const;

/** The REST interaction each ledger action stands for; E (a query or a model run over the data) is BALP's Query. */
export const SUBTYPE_OF_ACTION: Record<string, string> = {
  C: 'create',
  R: 'read',
  U: 'update',
  D: 'delete',
  E: 'search',
};

/** AuditEvent.outcome: 0 success, 4 minor failure (the ledger's "denied": the request was refused), 8 and 12 serious failures. */
export const OUTCOME_CODE: Record<string, '0' | '4' | '8'> = { success: '0', denied: '4', error: '8' };

/** HL7 purpose-of-use codes are upper-case letters; anything else the emitter sent stays text. */
export function purposeConcept(purpose: string) {
  return /^[A-Z]{2,20}$/.test(purpose)
    ? { coding: [{ system: FHIR_SYSTEMS.actReason, code: purpose }] }
    : { text: purpose };
}
