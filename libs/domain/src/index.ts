/**
 * The governance domain: pure deciders and the event contract. No framework,
 * no I/O, no clock: time and actor arrive in each command's `meta`.
 */
export {
  assertNever,
  DomainError,
  type DomainErrorCode,
  type DomainErrorDetails,
  type UnmetGate,
  type ValidationProblem,
} from './shared/domain-error';
export type { CommandMeta } from './shared/command-meta';
export { personId } from './shared/person-id';
export { stateFrom, type Decider } from './shared/decider';
export { streamNames, tenantStream } from './shared/streams';
export {
  CALENDAR_RANGE,
  checkInstant,
  durationMs,
  instantRangeOf,
  isFixedDuration,
  type InstantRange,
} from './shared/time';
export { tenantEventId, uuidFrom } from './shared/event-ids';
export { ID_PATTERN, type EventSchema } from './shared/schema';
export { illFormedInput, type InputProblem } from './shared/input-text';

export * from './ai-system/vocabulary';
export type * from './ai-system/commands';
export {
  AI_SYSTEM_EVENTS,
  SUPERSEDED_AI_SYSTEM_EVENTS,
  upcastIncidentReportedV1,
  upcastModelVersionRegisteredV1,
  type AiSystemEvent,
  type AiSystemEventOf,
  type AiSystemEventType,
} from './ai-system/events';
export {
  evolveAiSystem,
  initialAiSystemState,
  type AiSystemRecord,
  type AiSystemState,
} from './ai-system/state';
export { aiSystemDecider, decideAiSystem } from './ai-system/decide';
export { LEDGER_MONITOR } from './ai-system/monitoring';
export {
  DEFAULT_GOVERNANCE_POLICY,
  EU_AI_ACT_INCIDENT_DEADLINE_DAYS,
  type GovernancePolicy,
} from './ai-system/policy';
export { incidentDueAt } from './ai-system/incidents';
export { COMPLIANCE_RULES, type ComplianceRule } from './compliance/compliance-rules.generated';
export { LIFECYCLE_TRANSITIONS } from './ai-system/lifecycle';
export { CLOCK_SKEW_ALLOWANCE_MS, holdersAt } from './ai-system/accountability';
export {
  INCOMPATIBLE_ROLES,
  ROLES_AUTHORS_MAY_NOT_HOLD,
  SEPARATION_OF_DUTIES,
  separationOfDutiesMarkdown,
  type SeparationOfDuty,
  type SeparationOfDutyCode,
} from './ai-system/separation-of-duties';
export {
  trainingDatasetsToCheck,
  unmetDeploymentGates,
  type DeploymentGate,
  type UnmetDeploymentGate,
} from './ai-system/deployment';

export type * from './dataset/commands';
export {
  DATASET_CLASSIFICATIONS,
  DATASET_EVENTS,
  type DatasetClassification,
  type DatasetEvent,
  type DatasetEventOf,
} from './dataset/events';
export {
  datasetDecider,
  datasetSnapshot,
  decideDataset,
  evolveDataset,
  initialDatasetState,
  type DatasetState,
} from './dataset/dataset';

export {
  DATA_ACCESS_ACTIONS,
  DATA_ACCESS_EVENTS,
  DATA_ACCESS_OUTCOMES,
  type DataAccessAction,
  type DataAccessedEvent,
  type DataAccessOutcome,
} from './data-access/events';
export { recordDataAccess, type DataAccessReport } from './data-access/record-data-access';
export {
  AUDIT_EVENT_OUTCOME_SYSTEM,
  searchToken,
  sentSearchTokens,
  type SentSearchParam,
} from './data-access/fhir-search-tokens';
export {
  AGE_BANDS,
  CLINICAL_USE_EVENTS,
  CLINICIAN_RESPONSES,
  OUTPUT_FINDINGS,
  SEX_BANDS,
  type AgeBand,
  type ClinicalUseEvent,
  type ClinicianResponse,
  type OutputFinding,
  type SexBand,
} from './clinical-use/events';
export {
  recordAiOutput,
  recordClinicianResponse,
  recordOutcome,
  type ClinicalUseEventOf,
} from './clinical-use/record-clinical-use';
export {
  evolveRegistryHistory,
  flagOutput,
  initialRegistryHistory,
  registryAt,
  type RegistryHistory,
  type RegistryPeriod,
  type StoredOutput,
} from './clinical-use/output-findings';
export * from './monitoring/metrics';

export {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  SUPERSEDED_EVENT_SCHEMAS,
  eventSchemaDocument,
  eventSchemaFileName,
  eventSchemaFiles,
  isEventType,
  type DomainEvent,
  type DomainEventOf,
  type EventType,
} from './events/event-schemas';
export { validateEventData } from './events/validate-event-data';
export { erasableFieldsOf } from './events/erasable-fields';
export { streamOf } from './events/stream-of';
export { upcast } from './events/upcast';
export { LEDGER_AUDIT_EVENTS, type LedgerAuditEvent } from './ledger-audit/events';
export {
  recordAccessDenied,
  recordDataAccessExport,
  recordPatientLookup,
} from './ledger-audit/record-ledger-audit';
export { EVIDENCE_EVENTS, type EvidenceEvent } from './evidence/events';
export { recordEvidenceExport } from './evidence/record-evidence-export';
export {
  ERASED_EVENTS_PER_RECORD,
  ERASURE_EVENTS,
  ERASURE_SUBJECT_KINDS,
  type ErasureEvent,
  type ErasureSubjectKind,
} from './erasure/events';
export {
  DATA_PROTECTION_OFFICER,
  THE_DATA_SUBJECT,
  decideErasure,
  findErasures,
  type ErasableEventView,
  type ErasureSubject,
  type FoundErasure,
  type RequestErasure,
} from './erasure/decide-erasure';
export { dueWindows, type MonitoringWindow } from './monitoring/windows';
export {
  LEGAL_HOLD_EVENTS,
  SUBJECT_KINDS,
  type LegalHoldEvent,
  type LegalHoldScope,
  type SubjectKind,
} from './legal-hold/events';
export {
  blockingHolds,
  decideLegalHolds,
  evolveLegalHolds,
  initialLegalHoldsState,
  legalHoldsDecider,
  recordedLegalHolds,
  subjectDigestInput,
  type LegalHold,
  type LegalHoldCommand,
  type LegalHoldsState,
  type PlaceLegalHold,
  type RecordedLegalHold,
  type ReleaseLegalHold,
} from './legal-hold/legal-hold';
export { RETENTION_CATEGORIES, retentionCategoryOf, type RetentionCategory } from './retention/categories';
export {
  addRetention,
  DATA_ACCESS_MINIMUM_MONTHS,
  DEFAULT_RETENTION,
  lastsAtLeastMonths,
  RETENTION_DURATION,
  type RetentionSchedule,
} from './retention/schedule';
export {
  retentionTally,
  type HeldRetention,
  type RetentionEvent,
  type RetentionGroup,
  type RetentionReport,
  type RetentionTally,
} from './retention/report';
