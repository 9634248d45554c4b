/**
 * Which ledger capability serves each control regulators ask about, through
 * which recorded events, and which test shows it works. The
 * table in docs/regulatory-coverage.md and every bundle's report are this list; the
 * spec beside it checks that each event type exists and each test file is real.
 */
export interface CoveredControl {
  framework: string;
  control: string;
  requirement: string;
  capability: string;
  eventTypes: string[];
  tests: string[];
}

export const REGULATORY_COVERAGE: CoveredControl[] = [
  {
    framework: 'HIPAA',
    control: '§164.312(b) audit controls',
    requirement: 'record and examine activity in systems that hold or use ePHI',
    capability:
      'every data access recorded (POST /v1/events, POST /fhir/AuditEvent), patients pseudonymised, searchable (dataAccess query) and exported as FHIR AuditEvent or CSV; refusals, patient look-ups and CSV exports audited',
    eventTypes: [
      'DataAccessed',
      'DatasetAccessGranted',
      'DatasetAccessRevoked',
      'AccessDenied',
      'PatientLookupPerformed',
      'DataAccessExported',
    ],
    tests: [
      'test/e2e/ingest.e2e.spec.ts',
      'test/evidence/fhir-ingest.e2e.spec.ts',
      'test/e2e/auditor-queries.e2e.spec.ts',
    ],
  },
  {
    framework: 'HIPAA',
    control: '§164.308(a)(1)(ii)(D) information system activity review',
    requirement:
      'regularly review records of information system activity, such as audit logs and access reports',
    capability:
      'access-log reviews of a system or a dataset (period, outcome, note; reviewer and time from the ledger), on the cadence its access policy sets: ACCESS_REVIEW_OVERDUE when a review is missing; AUDIT_SOURCE_SILENT when a registered audit source sends nothing for longer than its expected interval',
    eventTypes: [
      'AccessLogReviewed',
      'DatasetAccessLogReviewed',
      'AccessPolicyRecorded',
      'DatasetAccessPolicyRecorded',
      'AuditSourceRegistered',
    ],
    tests: [
      'libs/read-models/src/compliance/compliance-findings.int.spec.ts',
      'test/e2e/regulatory-clocks.e2e.spec.ts',
      'libs/domain/src/ai-system/audits.unit.spec.ts',
    ],
  },
  {
    framework: 'HIPAA',
    control: '§164.316(b)(2) retention',
    requirement: 'keep required documentation six years',
    capability:
      'append-only store with no update or delete path (EventStoreDB streams refused when truncatable); evidence bundles that verify offline years later; governance records kept six years by default (LEDGER_RETENTION_GOVERNANCE), the retention report listing what is due, legal holds suspending erasure and expiry',
    eventTypes: ['DatasetRegistered', 'EvidenceExported', 'LegalHoldPlaced', 'LegalHoldReleased'],
    tests: [
      'libs/event-store/src/conformance/sqlite.conformance.int.spec.ts',
      'libs/event-store/src/eventstoredb/eventstoredb-event-store.int.spec.ts',
      'test/evidence/bundle-round-trip.e2e.spec.ts',
      'test/e2e/retention-and-legal-hold.e2e.spec.ts',
    ],
  },
  {
    framework: 'EU AI Act',
    control: 'Art. 12 record-keeping',
    requirement: 'automatic logging of events over the lifetime of a high-risk system',
    capability:
      'every governance decision and data access is an event with actor, time, source and correlation, hash-chained and sealed in a signed Merkle log; so is every use of the system (its output and the version that produced it, the clinician’s response, the outcome), checked as it is stored: VERSION_MISMATCH, USE_AFTER_TAKEDOWN',
    eventTypes: [
      'AiSystemRegistered',
      'ModelVersionDeployed',
      'DataAccessed',
      'MonitoringSignalRecorded',
      'TakedownDecided',
      'AiOutputProduced',
      'ClinicianResponseRecorded',
      'OutcomeObserved',
      'AiOutputFlagged',
    ],
    tests: [
      'test/e2e/governance-lifecycle.e2e.spec.ts',
      'test/e2e/integrity.e2e.spec.ts',
      'test/e2e/clinical-use-ingest.e2e.spec.ts',
    ],
  },
  {
    framework: 'EU AI Act',
    control: 'Art. 19 automatically generated logs',
    requirement: 'providers keep the logs, at least six months, and hand them over',
    capability:
      'logs kept in the append-only store and handed over as a signed evidence bundle the recipient verifies without trusting the ledger; a data-access retention (LEDGER_RETENTION_DATA_ACCESS) under six months is refused at start',
    eventTypes: ['EvidenceExported'],
    tests: [
      'test/evidence/bundle-round-trip.e2e.spec.ts',
      'test/evidence/bundle-tamper.e2e.spec.ts',
      'libs/runtime/src/ledger-config.unit.spec.ts',
    ],
  },
  {
    framework: 'EU AI Act',
    control: 'Art. 26(5)–(6) deployer monitoring and logs',
    requirement: 'deployers monitor operation, suspend on risk, inform the provider, and keep logs',
    capability:
      'monitoring plans, signals and threshold breaches; suspension, rollback and retirement by the takedown authority; BREACH_UNRESOLVED and MONITORING_OVERDUE findings',
    eventTypes: [
      'MonitoringPlanned',
      'MonitoringSignalRecorded',
      'MonitoringThresholdBreached',
      'TakedownDecided',
      'IncidentReported',
    ],
    tests: [
      'libs/domain/src/ai-system/monitoring.unit.spec.ts',
      'libs/read-models/src/compliance/compliance-findings.int.spec.ts',
      'test/e2e/governance-lifecycle.e2e.spec.ts',
    ],
  },
  {
    framework: 'EU AI Act',
    control: 'Art. 72 post-market monitoring',
    requirement: 'a documented plan that collects and analyses performance over the lifetime',
    capability:
      'monitoring plans with cadence and thresholds, signals per subgroup, audits; overdue monitoring is a compliance finding',
    eventTypes: [
      'MonitoringPlanned',
      'MonitoringSignalRecorded',
      'MonitoringThresholdBreached',
      'AuditRecorded',
    ],
    tests: [
      'libs/domain/src/ai-system/monitoring.unit.spec.ts',
      'libs/read-models/src/compliance/compliance-findings.int.spec.ts',
    ],
  },
  {
    framework: 'EU AI Act',
    control: 'Art. 26(5) informing the provider',
    requirement: 'a deployer informs the provider of a serious incident immediately',
    capability:
      'notifications recorded per recipient as sent; PROVIDER_NOT_INFORMED when a serious incident on a vendor-supplied system has no initial notification to the provider within LEDGER_INCIDENT_REPORT_GRACE_HOURS of awareness',
    eventTypes: ['IncidentReported', 'IncidentNotificationRecorded', 'AiSystemRegistered'],
    tests: ['libs/read-models/src/compliance/incident-findings.int.spec.ts'],
  },
  {
    framework: 'EU AI Act',
    control: 'Art. 73(1)–(5) serious-incident reporting',
    requirement:
      'notify the market surveillance authority within 2 days (widespread infringement, critical infrastructure), 10 days (death) or 15 days of awareness',
    capability:
      'incidents classified per Art 3(49) with the time of awareness; the due date computed from the deadline table (LEDGER_INCIDENT_DEADLINE_DAYS) and stored with the report; notifications recorded as sent, never backdated; INCIDENT_NOTIFICATION_OVERDUE names the due date, INCIDENT_REPORTED_LATE keeps a late report on record; the bundle report shows class, due date, notifications sent and their delay',
    eventTypes: [
      'IncidentReported',
      'IncidentNotificationRecorded',
      'IncidentStatusUpdated',
      'IncidentClosed',
    ],
    tests: [
      'libs/domain/src/ai-system/incidents.unit.spec.ts',
      'libs/read-models/src/compliance/incident-findings.int.spec.ts',
      'test/e2e/incident-clock.e2e.spec.ts',
      'test/evidence/bundle-round-trip.e2e.spec.ts',
    ],
  },
  {
    framework: 'EU AI Act',
    control: 'Art. 73(6) no alteration during the investigation',
    requirement:
      'do not alter the system in a way that may affect the evaluation of the causes before informing the authorities',
    capability:
      'registerModelVersion and deployModelVersion refused with INCIDENT_UNDER_INVESTIGATION while a serious incident is open and the authority not notified; suspension, rollback and retirement stay allowed',
    eventTypes: ['IncidentReported', 'IncidentNotificationRecorded', 'TakedownDecided'],
    tests: ['libs/domain/src/ai-system/incident-freeze.unit.spec.ts', 'test/e2e/incident-clock.e2e.spec.ts'],
  },
  {
    framework: 'NIST AI RMF',
    control: 'GOVERN 1.6',
    requirement: 'an inventory of AI systems',
    capability:
      'the registry: every system with intended use, risk class, supplier and sites (aiSystems query)',
    eventTypes: ['AiSystemRegistered', 'AiSystemStatusChanged'],
    tests: ['libs/domain/src/ai-system/registration.unit.spec.ts', 'test/e2e/auditor-queries.e2e.spec.ts'],
  },
  {
    framework: 'NIST AI RMF',
    control: 'GOVERN 1.7',
    requirement: 'processes to decommission and phase out AI systems safely',
    capability:
      'retirement and suspension only by the takedown authority (or a security officer in an emergency, ratified in time)',
    eventTypes: ['TakedownDecided', 'TakedownRatified', 'AiSystemStatusChanged'],
    tests: [
      'libs/domain/src/ai-system/takedown.unit.spec.ts',
      'libs/domain/src/ai-system/lifecycle.unit.spec.ts',
    ],
  },
  {
    framework: 'NIST AI RMF',
    control: 'GOVERN 2.1',
    requirement: 'roles, responsibilities and lines of communication documented',
    capability:
      'accountability roles assigned, accepted and revoked with effective times; accountability(asOf) answers who held each; deployment gated on required roles',
    eventTypes: ['AccountabilityAssigned', 'AccountabilityAccepted', 'AccountabilityRevoked'],
    tests: [
      'libs/domain/src/ai-system/accountability.unit.spec.ts',
      'libs/read-models/src/compliance/compliance-findings.int.spec.ts',
    ],
  },
  {
    framework: 'NIST AI RMF',
    control: 'MANAGE 2.4',
    requirement: 'mechanisms to supersede, disengage or deactivate a system',
    capability:
      'suspend, roll back to an earlier validated version, retire; reinstatement only on a new passing validation',
    eventTypes: ['TakedownDecided', 'AiSystemReinstated', 'ModelVersionDeployed'],
    tests: ['libs/domain/src/ai-system/takedown.unit.spec.ts', 'test/e2e/governance-lifecycle.e2e.spec.ts'],
  },
  {
    framework: 'NIST AI RMF',
    control: 'MANAGE 4.1',
    requirement: 'post-deployment monitoring, including incident response and decommissioning',
    capability: 'monitoring plans and signals, incidents, audits and takedowns in one history per system',
    eventTypes: ['MonitoringPlanned', 'MonitoringSignalRecorded', 'IncidentReported', 'AuditRecorded'],
    tests: [
      'libs/domain/src/ai-system/monitoring.unit.spec.ts',
      'libs/domain/src/ai-system/incidents.unit.spec.ts',
      'libs/domain/src/ai-system/audits.unit.spec.ts',
    ],
  },
  {
    framework: 'ISO/IEC 42001',
    control: 'A.3.2 AI roles and responsibilities',
    requirement: 'roles defined and allocated',
    capability:
      'accountability roles per system, accepted by their holders; vacancies are REQUIRED_ROLE_VACANT findings',
    eventTypes: ['AccountabilityAssigned', 'AccountabilityAccepted', 'AccountabilityRevoked'],
    tests: ['libs/domain/src/ai-system/accountability.unit.spec.ts'],
  },
  {
    framework: 'ISO/IEC 42001',
    control: 'A.7.5 data provenance',
    requirement: 'record the provenance of data used by AI systems',
    capability:
      'datasets with source, legal basis, steward and retention; approvals per purpose; each model version names its training datasets; exported as FHIR Provenance',
    eventTypes: ['DatasetRegistered', 'DatasetApproved', 'ModelVersionRegistered'],
    tests: ['libs/domain/src/dataset/dataset.unit.spec.ts', 'test/evidence/fhir-output.e2e.spec.ts'],
  },
  {
    framework: 'ISO/IEC 42001',
    control: '10.2 nonconformity and corrective action',
    requirement: 'act on each nonconformity an audit finds, review the action taken and keep the evidence',
    capability:
      'audit findings with an owner and a due date: resolved by the owner, the closure verified by someone else (VERIFIER_IS_OWNER in any spelling); AUDIT_FINDING_OVERDUE names the owner; an open critical finding is a deployment gate (OPEN_CRITICAL_AUDIT_FINDING)',
    eventTypes: ['AuditRecorded', 'AuditFindingResolved', 'AuditFindingClosureVerified'],
    tests: [
      'libs/domain/src/ai-system/audits.unit.spec.ts',
      'libs/read-models/src/compliance/compliance-findings.int.spec.ts',
      'test/e2e/regulatory-clocks.e2e.spec.ts',
    ],
  },
  {
    framework: 'FDA',
    control: 'PCCP version control',
    requirement: 'each modification traceable to a version, its validation and the change-control plan',
    capability:
      'model versions with artifact digest, code revision, parent, change summary and whether within the plan; validations with subgroup results; approvals and deployments',
    eventTypes: [
      'ModelVersionRegistered',
      'ValidationResultRecorded',
      'DeploymentApproved',
      'ModelVersionDeployed',
    ],
    tests: [
      'libs/domain/src/ai-system/model-versions.unit.spec.ts',
      'libs/domain/src/ai-system/deployment.unit.spec.ts',
    ],
  },
  {
    framework: 'ONC',
    control: '§170.315(d)(2) auditable events and tamper-resistance',
    requirement: 'record auditable events and detect their alteration',
    capability:
      'per-stream hash chains, an RFC 9162 Merkle log with signed C2SP checkpoints, govledger verify on the store and verify-bundle on an export',
    eventTypes: ['DataAccessed', 'EvidenceExported'],
    tests: ['test/tamper/tamper.int.spec.ts', 'test/evidence/bundle-tamper.e2e.spec.ts'],
  },
];
