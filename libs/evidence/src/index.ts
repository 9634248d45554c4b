/*
 * Evidence for regulators: the bundle writer (export) and the event that
 * records each export in the ledger, the offline verifier, and FHIR
 * AuditEvent in and out. The verifier and the FHIR mapping touch no
 * database; the writer reads the event store, the read models and the
 * transparency log.
 */
export {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_V1,
  type BundleFileName,
  type BundleFormat,
  type BundleManifest,
} from './bundle-format';
export {
  exportEvidenceBundle,
  type EvidenceKeys,
  type ExportEvidenceOptions,
  type ExportedBundle,
} from './export-bundle';
export { recordExport, type ExportRecord } from './record-export';
export { EvidenceExportError, type EvidenceExportErrorCode } from './evidence-export-error';
export type { ExportScope } from './event-selection';
export {
  verifyBundle,
  type BundleSummary,
  type BundleVerification,
  type VerifyBundleOptions,
} from './verify-bundle';
export { readPemCertificates, type BundleTimestamp } from './verify-timestamp';
export {
  AUDIT_EVENT_MAX_BYTES,
  auditEventToIngestItem,
  elementOfField,
  UNKNOWN_PURPOSE,
  type IngestItem,
  type MappedAuditEvent,
} from './fhir/audit-event-ingest';
export { pseudonymisedAuditEvent, type PseudonymisedAuditEvent } from './fhir/audit-event-pseudonyms';
export { fhirAuditEventOf, LEDGER_RECORD_EXTENSION } from './fhir/served-audit-event';
export {
  RISK_ASSESSMENT_EXTENSIONS,
  riskAssessmentElementOf,
  riskAssessmentToIngestItem,
  type MappedRiskAssessment,
  type RiskAssessmentItem,
} from './fhir/risk-assessment-ingest';
export { r4Errors } from './fhir/r4-validator';
export { auditEventOf } from './fhir/audit-event';
export {
  AUDIT_EVENT_PAGE,
  AUDIT_EVENT_SEARCH_LIMITS,
  auditEventSearchOf,
  type AuditEventSearch,
} from './fhir/audit-event-search';
export { capabilityStatement } from './fhir/capability-statement';
