export { BUNDLE_FILES, BUNDLE_FORMAT, FILE_MEANING, type BundleFileName, type BundleManifest } from './bundle-format';
export { exportEvidenceBundle, type EvidenceKeys, type ExportEvidenceOptions, type ExportedBundle } from './export-bundle';
export { EvidenceExportError, type EvidenceExportErrorCode } from './evidence-export-error';
export type { ExportScope } from './event-selection';
export { verifyBundle, type BundleSummary, type BundleVerification } from './verify-bundle';
export { auditEventOf } from './fhir/audit-event';
export { REGULATORY_COVERAGE, type CoveredControl } from './report/regulatory-coverage';
export { auditEventToIngestItem, elementOfField, type IngestItem, type MappedAuditEvent } from './fhir/audit-event-ingest';
export { r4Errors } from './fhir/r4-validator';
