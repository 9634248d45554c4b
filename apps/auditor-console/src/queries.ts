/* The GraphQL documents the console sends (schema/graphql) and the shapes it reads back. */

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
}

export interface SystemSummary {
  id: string;
  name: string;
  status: string;
  deployedVersion: string | null;
  riskClass: string;
  sites: string[];
  openIncidents: Array<{ incidentId: string }>;
}

export const SYSTEMS = `query Systems($after: String) {
  aiSystems(first: 100, after: $after) {
    edges { cursor node { id name status deployedVersion riskClass sites openIncidents { incidentId } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface Metric {
  name: string;
  value: number;
  threshold: number;
  direction: 'min' | 'max';
  passed: boolean;
}
export interface Validation {
  validationId: string;
  datasetId: string;
  passed: boolean;
  validator: string;
  validatedAt: string;
  eventId: string;
  metrics: Metric[];
  subgroupResults: Array<{ subgroup: string; passed: boolean; metrics: Metric[] }>;
}
export interface LiveVersionChange {
  at: string;
  version: string | null;
  cause: string;
  eventId: string;
}
export interface VersionSummary {
  version: string;
  artifactSha256: string;
  parentVersion: string | null;
  developer: string;
  registeredAt: string;
  validations: Validation[];
  approvals: Array<{ discipline: string; reviewer: string; approvedAt: string; eventId: string }>;
  deployments: LiveVersionChange[];
}
export interface Incident {
  incidentId: string;
  severity: string;
  description: string;
  patientHarmed: boolean;
  awareAt: string;
  version: string | null;
  status: string;
  reportedBy: string;
  reportedAt: string;
  closedAt: string | null;
  resolution: string | null;
  eventId: string;
}
export interface Decision {
  decisionId: string;
  action: string;
  fromVersion: string | null;
  toVersion: string | null;
  rationale: string;
  evidence: string[];
  decidedBy: string;
  decidedAt: string;
  emergency: boolean;
  ratificationDueBy: string | null;
  ratifiedBy: string | null;
  ratifiedAt: string | null;
  eventId: string;
}
export interface MonitoringPlan {
  metric: string;
  threshold: number;
  direction: 'min' | 'max';
  cadence: string;
  plannedAt: string;
}
export interface Signal {
  kind: string;
  metric: string;
  value: number;
  subgroup: string | null;
  observedAt: string;
  version: string | null;
  breached: boolean;
  eventId: string;
}
export interface RoleHolding {
  role: string;
  holder: string;
  since: string;
  until: string | null;
  accepted: boolean;
  acceptedAt: string | null;
  assignedBy: string;
}
export interface SystemDetail {
  id: string;
  name: string;
  intendedUse: string;
  clinicalDomain: string;
  riskClass: string;
  supplier: string;
  vendorName: string | null;
  sites: string[];
  status: string;
  deployedVersion: string | null;
  registeredAt: string;
  accountability: RoleHolding[];
  versions: VersionSummary[];
  liveHistory: LiveVersionChange[];
  incidents: Incident[];
  decisions: Decision[];
  monitoringPlans: MonitoringPlan[];
  signals: Signal[];
}

const METRIC = 'name value threshold direction passed';
export const SYSTEM = `query System($id: ID!) {
  aiSystem(id: $id) {
    id name intendedUse clinicalDomain riskClass supplier vendorName sites status deployedVersion registeredAt
    accountability { role holder since until accepted acceptedAt assignedBy }
    versions {
      version artifactSha256 parentVersion developer registeredAt
      validations { validationId datasetId passed validator validatedAt eventId metrics { ${METRIC} } subgroupResults { subgroup passed metrics { ${METRIC} } } }
      approvals { discipline reviewer approvedAt eventId }
      deployments { at version cause eventId }
    }
    liveHistory { at version cause eventId }
    incidents { incidentId severity description patientHarmed awareAt version status reportedBy reportedAt closedAt resolution eventId }
    decisions { decisionId action fromVersion toVersion rationale evidence decidedBy decidedAt emergency ratificationDueBy ratifiedBy ratifiedAt eventId }
    monitoringPlans { metric threshold direction cadence plannedAt }
    signals { kind metric value subgroup observedAt version breached eventId }
  }
}`;

export interface Accountability {
  asOf: string;
  liveVersion: string | null;
  vacantRequiredRoles: string[];
  holdings: RoleHolding[];
}
export const ACCOUNTABILITY = `query AsOf($systemId: ID!, $asOf: DateTime) {
  accountability(systemId: $systemId, asOf: $asOf) {
    asOf liveVersion vacantRequiredRoles
    holdings { role holder since until accepted acceptedAt assignedBy }
  }
}`;

export interface LedgerEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  stream: string;
  revision: number;
  position: string;
  data: string;
  metadata: {
    tenantId: string;
    actor: { id: string; role: string; onBehalfOf: string | null };
    source: string;
    occurredAt: string;
    recordedAt: string;
    correlationId: string;
    causationId: string;
    purposeOfUse: string | null;
  };
  integrity: { prevHash: string; hash: string };
}
export const TIMELINE = `query Timeline($systemId: ID, $types: [String!], $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  timeline(systemId: $systemId, types: $types, from: $from, to: $to, first: $first, after: $after) {
    edges { cursor node {
      eventId type schemaVersion stream revision position data
      metadata { tenantId actor { id role onBehalfOf } source occurredAt recordedAt correlationId causationId purposeOfUse }
      integrity { prevHash hash }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface DataAccessRecord {
  position: string;
  eventId: string;
  actor: string;
  datasetId: string | null;
  resource: string | null;
  patientPseudonym: string | null;
  action: string;
  purposeOfUse: string;
  outcome: string;
  sourceService: string;
  systemId: string | null;
  occurredAt: string;
  violation: string | null;
}
export const DATA_ACCESS = `query DataAccess($filter: DataAccessFilter, $after: String) {
  dataAccess(filter: $filter, first: 50, after: $after) {
    edges { cursor node { position eventId actor datasetId resource patientPseudonym action purposeOfUse outcome sourceService systemId occurredAt violation } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface Finding {
  rule: string;
  systemId: string | null;
  subject: string;
  since: string;
  message: string;
  evidence: string[];
}
export const FINDINGS = `query Findings($filter: ComplianceFindingFilter) {
  complianceFindings(filter: $filter) { rule systemId subject since message evidence }
}`;

export const COMPLIANCE_RULES = [
  'REQUIRED_ROLE_VACANT',
  'VALIDATION_EXPIRED',
  'MONITORING_OVERDUE',
  'BREACH_UNRESOLVED',
  'EMERGENCY_TAKEDOWN_NOT_RATIFIED',
  'DATA_ACCESS_WITHOUT_GRANT',
  'AUDIT_OVERDUE',
] as const;

export interface EvidenceExport {
  exportId: string;
  downloadUrl: string;
  expiresAt: string;
  createdAt: string;
  bytes: number;
  manifestSha256: string;
  events: number;
  checkpoint: { treeSize: number; rootHash: string };
}
export const EXPORT_BUNDLE = `mutation Export($systemId: ID!, $from: DateTime, $to: DateTime, $recipient: String) {
  exportEvidenceBundle(systemId: $systemId, from: $from, to: $to, recipient: $recipient) {
    exportId downloadUrl expiresAt createdAt bytes manifestSha256 events checkpoint { treeSize rootHash }
  }
}`;
