/**
 * Who may call what. One table serves the code (the guard and the HTTP hook
 * read it) and docs/security.md (its table is generated from it by a test that
 * fails when they differ). Anything not listed is denied.
 */
export const ROLES = [
  'auditor',
  'regulator',
  'emitter',
  'governance-admin',
  'ledger-admin',
  'data-protection-officer',
] as const;
export type Role = (typeof ROLES)[number];

/** `public`: no token needed (health, metrics, the published checkpoint and keys witnesses fetch). */
export type Access = 'public' | readonly Role[];

const READERS = ['auditor', 'regulator', 'governance-admin'] as const;
const GOVERNANCE = ['governance-admin'] as const;
// Exports are for those who take evidence away: auditors, and regulators for their granted systems.
const EXPORTERS = ['auditor', 'regulator'] as const;

export const GRAPHQL_POLICY: Readonly<Record<string, Access>> = {
  ledger: ['auditor', 'regulator', 'governance-admin', 'ledger-admin'],
  aiSystem: READERS,
  aiSystems: READERS,
  accountability: READERS,
  timeline: READERS,
  dataAccess: READERS,
  // A CSV of a search is the same data the search shows, recorded as it leaves: the same readers.
  exportDataAccessCsv: READERS,
  // Outputs name patients only by pseudonym, as data access does: the same readers.
  outputs: READERS,
  modelVersion: READERS,
  complianceFindings: READERS,
  // Public over HTTP (GET /checkpoint, /v1/proofs/consistency): no tenant's data, so every role that can reach GraphQL may read them.
  // LedgerEvent.inclusionProof is not a root field: it resolves only on events a root query already let the caller see.
  checkpoint: [...ROLES],
  consistencyProof: [...ROLES],
  exportEvidenceBundle: EXPORTERS,
  registerAiSystem: GOVERNANCE,
  assignAccountability: GOVERNANCE,
  acceptAccountability: GOVERNANCE,
  revokeAccountability: GOVERNANCE,
  registerModelVersion: GOVERNANCE,
  planValidation: GOVERNANCE,
  recordValidationResult: GOVERNANCE,
  approveDeployment: GOVERNANCE,
  recordAccessPolicy: GOVERNANCE,
  registerAuditSource: GOVERNANCE,
  registerMonitoringSource: GOVERNANCE,
  deployModelVersion: GOVERNANCE,
  planMonitoring: GOVERNANCE,
  // People who watch a system record signals with their own tokens; a monitoring service authenticates as an
  // emitter. The registry decides which of them may: the BIAS_DRIFT_MONITOR, the MODEL_PERFORMANCE_OWNER, or a
  // service registered as the system's monitoring source.
  recordMonitoringSignal: ['governance-admin', 'emitter'],
  reportIncident: GOVERNANCE,
  updateIncidentStatus: GOVERNANCE,
  recordIncidentNotification: GOVERNANCE,
  closeIncident: GOVERNANCE,
  // Who may take a system down is the registry's TAKEDOWN_AUTHORITY, checked by the decider; the role only admits the request.
  decideTakedown: GOVERNANCE,
  ratifyTakedown: GOVERNANCE,
  reinstateAiSystem: GOVERNANCE,
  recordAudit: ['governance-admin', 'auditor'],
  // The owner of a finding may be anyone the auditor named; the decider admits only the owner to resolve it
  // and anyone but the owner to verify the closure.
  resolveAuditFinding: ['governance-admin', 'auditor'],
  verifyAuditFindingClosure: ['governance-admin', 'auditor'],
  recordAccessLogReview: GOVERNANCE,
  registerDataset: GOVERNANCE,
  approveDataset: GOVERNANCE,
  grantDatasetAccess: GOVERNANCE,
  revokeDatasetAccess: GOVERNANCE,
  recordDatasetAccessPolicy: GOVERNANCE,
  // A hold names a litigation matter and may name a person: the organisation's lawyers' business, not a regulator's.
  legalHolds: ['auditor', 'governance-admin', 'data-protection-officer'],
  retention: ['auditor', 'governance-admin', 'data-protection-officer'],
  placeLegalHold: ['governance-admin', 'data-protection-officer'],
  // Never the data protection officer: the one who decides erasures must not also lift, alone, the hold that blocks one.
  releaseLegalHold: GOVERNANCE,
  // The decider admits only the data protection officer, and never for themselves; the role only admits the request.
  requestErasure: ['data-protection-officer'],
};

/** Keyed `METHOD /path` as Fastify registers the route. */
export const HTTP_POLICY: Readonly<Record<string, Access>> = {
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'public',
  // GraphQL admits any valid token; each root field is then checked against GRAPHQL_POLICY.
  'POST /graphql': [...ROLES],
  // Mercurius also answers queries sent as GET; the same field policy applies.
  'GET /graphql': [...ROLES],
  'POST /v1/events': ['emitter'],
  // Checkpoints, keys and consistency proofs carry no tenant's data: witnesses and regulators fetch them without an account.
  'GET /checkpoint': 'public',
  'GET /v1/keys': 'public',
  'GET /v1/proofs/consistency': 'public',
  // An inclusion proof names one event, so it is answered only within the caller's tenant.
  'GET /v1/proofs/inclusion': READERS,
  'POST /fhir/AuditEvent': ['emitter'],
  'POST /fhir/RiskAssessment': ['emitter'],
  // A stored AuditEvent is the data GraphQL dataAccess shows: the same readers, the controller applies the same tenant and system rules.
  'GET /fhir/AuditEvent/:id': READERS,
  // ITI-81 search shows what GraphQL dataAccess shows: the same readers, in the token's tenant.
  'GET /fhir/AuditEvent': READERS,
  // What the FHIR endpoint serves holds no tenant's data; FHIR clients read it before they authenticate.
  'GET /fhir/metadata': 'public',
  // Only those who may export fetch a bundle, and then only their own, of a system they may still read; the controller checks the rest.
  'GET /v1/exports/:exportId': EXPORTERS,
  // The auditor console's page, assets and sign-in settings hold no data: it reads everything through /graphql with the user's own token.
  'GET /console': 'public',
  'GET /console/*': 'public',
};

export function allows(access: Access | undefined, role: Role | undefined): boolean {
  if (access === undefined) return false;
  if (access === 'public') return true;
  return role !== undefined && access.includes(role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
