import type { EventType } from '../events/event-schemas';

/**
 * What a record is kept for decides how long it is kept. Governance records
 * (decisions, validations, incidents, holds, evidence handed out) are
 * documentation HIPAA keeps six years (§164.316(b)(2)(i)); data-access
 * records (who touched data, each clinical use of an AI, the ledger's own
 * access log) are the deployer's logs the EU AI Act keeps at least six months
 * (Art 19, 26(6)) and that GDPR keeps no longer than needed (Art 5(1)(e)).
 */
export const RETENTION_CATEGORIES = ['GOVERNANCE', 'DATA_ACCESS'] as const;
export type RetentionCategory = (typeof RETENTION_CATEGORIES)[number];

/** Every event type by name, so a new type does not compile until it is given a category. */
const CATEGORY_OF: Readonly<Record<EventType, RetentionCategory>> = {
  AiSystemRegistered: 'GOVERNANCE',
  AiSystemStatusChanged: 'GOVERNANCE',
  AccountabilityAssigned: 'GOVERNANCE',
  AccountabilityAccepted: 'GOVERNANCE',
  AccountabilityRevoked: 'GOVERNANCE',
  ModelVersionRegistered: 'GOVERNANCE',
  ValidationPlanned: 'GOVERNANCE',
  ValidationResultRecorded: 'GOVERNANCE',
  DeploymentApproved: 'GOVERNANCE',
  AccessPolicyRecorded: 'GOVERNANCE',
  AuditSourceRegistered: 'GOVERNANCE',
  AccessLogReviewed: 'GOVERNANCE',
  MonitoringSourceRegistered: 'GOVERNANCE',
  ModelVersionDeployed: 'GOVERNANCE',
  MonitoringPlanned: 'GOVERNANCE',
  MonitoringSignalRecorded: 'GOVERNANCE',
  MonitoringSignalComputed: 'GOVERNANCE',
  MonitoringThresholdBreached: 'GOVERNANCE',
  IncidentReported: 'GOVERNANCE',
  IncidentStatusUpdated: 'GOVERNANCE',
  IncidentNotificationRecorded: 'GOVERNANCE',
  IncidentClosed: 'GOVERNANCE',
  TakedownDecided: 'GOVERNANCE',
  TakedownRatified: 'GOVERNANCE',
  AiSystemReinstated: 'GOVERNANCE',
  AuditRecorded: 'GOVERNANCE',
  AuditFindingResolved: 'GOVERNANCE',
  AuditFindingClosureVerified: 'GOVERNANCE',
  DatasetRegistered: 'GOVERNANCE',
  DatasetApproved: 'GOVERNANCE',
  DatasetAccessGranted: 'GOVERNANCE',
  DatasetAccessRevoked: 'GOVERNANCE',
  DatasetAccessPolicyRecorded: 'GOVERNANCE',
  DatasetAccessLogReviewed: 'GOVERNANCE',
  // An export of evidence is a disclosure: its record is kept as long as the governance it disclosed.
  EvidenceExported: 'GOVERNANCE',
  LegalHoldPlaced: 'GOVERNANCE',
  LegalHoldReleased: 'GOVERNANCE',
  ErasureRecorded: 'GOVERNANCE',
  DataAccessed: 'DATA_ACCESS',
  // Each use of an AI on a patient, and what the ledger found about that use, is a usage log.
  AiOutputProduced: 'DATA_ACCESS',
  ClinicianResponseRecorded: 'DATA_ACCESS',
  OutcomeObserved: 'DATA_ACCESS',
  AiOutputFlagged: 'DATA_ACCESS',
  // The ledger's own access log: refusals, patient lookups, data-access exports.
  AccessDenied: 'DATA_ACCESS',
  PatientLookupPerformed: 'DATA_ACCESS',
  DataAccessExported: 'DATA_ACCESS',
};

/** The category of a stored event's type; a type the domain does not know is kept as long as governance, the longer default. */
export function retentionCategoryOf(type: string): RetentionCategory {
  return Object.hasOwn(CATEGORY_OF, type) ? CATEGORY_OF[type as EventType] : 'GOVERNANCE';
}
