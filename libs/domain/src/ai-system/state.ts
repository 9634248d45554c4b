import { assertNever } from '../shared/domain-error';
import { personId } from '../shared/person-id';
import type { MonitoringComputation, PlannedMetric } from './commands';
import type { AiSystemEvent, AiSystemEventOf } from './events';
import type {
  AccountabilityRole,
  FindingSeverity,
  IncidentClassification,
  LifecycleStatus,
  NotificationKind,
  NotificationRecipient,
  ReviewDiscipline,
  ThresholdDirection,
} from './vocabulary';

/**
 * What the deciders need to know about one AI system, folded from its stream.
 * It holds only what some rule or query reads; descriptive fields (name,
 * intended use, ...) live in the events and the read models. Every person in
 * it is a `personId`, whatever spelling the event carries, so rules compare
 * people with `===`.
 */
export type AiSystemState = { status: 'unregistered' } | AiSystemRecord;

export interface AiSystemRecord {
  status: LifecycleStatus;
  systemId: string;
  assignments: Assignment[];
  /** In registration order, which is what "an earlier version" means for a rollback. */
  versions: ModelVersion[];
  /** The current plan of each version that has one. */
  validationPlans: ValidationPlan[];
  /** In the order recorded: the last one of a version is the one that counts. */
  validations: ValidationRecord[];
  approvals: Approval[];
  accessPolicyRecorded: boolean;
  auditSources: string[];
  /** Person ids of the services allowed to record monitoring signals. */
  monitoringSources: string[];
  monitoringPlans: MonitoringPlan[];
  incidents: IncidentRecord[];
  /** Takedown and reinstatement decisions; they share one id space. */
  decisions: DecisionRecord[];
  auditIds: string[];
  auditFindings: AuditFindingRecord[];
  /** The version serving patients, or paused while suspended. */
  deployedVersion?: string;
  suspendedAt?: string;
}

export interface Assignment {
  assignmentId: string;
  role: AccountabilityRole;
  assignee: string;
  effectiveFrom: string;
  acceptedAt?: string;
  effectiveTo?: string;
}

export interface ModelVersion {
  version: string;
  artifactSha256: string;
  trainingDatasetIds: string[];
  /** The developer and the registrant: none of them may validate, approve or ratify anything about the version. */
  authors: string[];
}

export interface ValidationPlan {
  version: string;
  datasetId: string;
  metrics: PlannedMetric[];
  subgroups: Array<{ subgroup: string; metrics: PlannedMetric[] }>;
}

export interface ValidationRecord {
  validationId: string;
  version: string;
  passed: boolean;
  validatedAt: string;
  /** Judged against a plan recorded before it; results stored before plans existed carried thresholds typed in with them. */
  againstPlan: boolean;
}

export interface Approval {
  version: string;
  discipline: ReviewDiscipline;
  reviewer: string;
}

export interface MonitoringPlan {
  metric: string;
  threshold: number;
  direction: ThresholdDirection;
  cadence: string;
  computation?: MonitoringComputation;
  /** The end of the latest window the ledger computed for this metric: a window is computed once. */
  computedThrough?: string;
}

export interface IncidentRecord {
  incidentId: string;
  /** Absent on incidents reported before classes were recorded. */
  classification?: IncidentClassification;
  awareAt: string;
  closed: boolean;
  notifications: Array<{ recipient: NotificationRecipient; kind: NotificationKind }>;
}

export interface AuditFindingRecord {
  auditId: string;
  findingId: string;
  severity: FindingSeverity;
  owner: string;
  resolvedBy?: string;
  verifiedBy?: string;
}

/** Open until someone other than its owner verifies the owner's resolution. */
export const isOpenFinding = (finding: AuditFindingRecord): boolean => finding.verifiedBy === undefined;

export interface DecisionRecord {
  decisionId: string;
  decidedBy: string;
  /** The versions the decision took down or put back in front of patients. */
  versions: string[];
  /** Made by a security officer under emergency powers: awaits ratification. */
  emergency: boolean;
  ratified: boolean;
}

export function initialAiSystemState(): AiSystemState {
  return { status: 'unregistered' };
}

export function evolveAiSystem(state: AiSystemState, event: AiSystemEvent): AiSystemState {
  if (event.type === 'AiSystemRegistered') return registered(event);
  // Only a registration can start a stream; the store never holds anything else before it.
  if (state.status === 'unregistered') return state;
  return evolveRecord(state, event);
}

function registered({ data }: AiSystemEventOf<'AiSystemRegistered'>): AiSystemRecord {
  return {
    status: 'proposed',
    systemId: data.systemId,
    assignments: [],
    versions: [],
    validationPlans: [],
    validations: [],
    approvals: [],
    accessPolicyRecorded: false,
    auditSources: [],
    monitoringSources: [],
    monitoringPlans: [],
    incidents: [],
    decisions: [],
    auditIds: [],
    auditFindings: [],
  };
}

function evolveRecord(
  s: AiSystemRecord,
  event: Exclude<AiSystemEvent, { type: 'AiSystemRegistered' }>,
): AiSystemRecord {
  switch (event.type) {
    case 'AiSystemStatusChanged': {
      const { to, at } = event.data;
      return { ...s, status: to, suspendedAt: to === 'suspended' ? at : undefined };
    }
    case 'AccountabilityAssigned': {
      const { assignmentId, role, assignee, effectiveFrom } = event.data;
      return {
        ...s,
        assignments: [...s.assignments, { assignmentId, role, assignee: personId(assignee), effectiveFrom }],
      };
    }
    case 'AccountabilityAccepted':
      return updateAssignment(s, event.data.assignmentId, { acceptedAt: event.data.acceptedAt });
    case 'AccountabilityRevoked':
      return updateAssignment(s, event.data.assignmentId, { effectiveTo: event.data.effectiveTo });
    case 'ModelVersionRegistered': {
      const { version, artifactSha256, trainingDatasetIds, developer, registeredBy } = event.data;
      const authors = [...new Set([developer, registeredBy].map(personId))];
      return {
        ...s,
        versions: [...s.versions, { version, artifactSha256, trainingDatasetIds, authors }],
      };
    }
    case 'ValidationPlanned': {
      const { version, datasetId, metrics, subgroups } = event.data;
      return {
        ...s,
        validationPlans: [
          ...s.validationPlans.filter((p) => p.version !== version),
          { version, datasetId, metrics, subgroups },
        ],
      };
    }
    case 'ValidationResultRecorded': {
      const { validationId, version, passed, validatedAt } = event.data;
      const againstPlan = s.validationPlans.some((p) => p.version === version);
      return {
        ...s,
        validations: [...s.validations, { validationId, version, passed, validatedAt, againstPlan }],
      };
    }
    case 'DeploymentApproved': {
      const { version, discipline, reviewer } = event.data;
      return { ...s, approvals: [...s.approvals, { version, discipline, reviewer: personId(reviewer) }] };
    }
    case 'AccessPolicyRecorded':
      return { ...s, accessPolicyRecorded: true };
    case 'AuditSourceRegistered':
      return { ...s, auditSources: [...s.auditSources, event.data.sourceService] };
    case 'MonitoringSourceRegistered':
      return { ...s, monitoringSources: [...s.monitoringSources, personId(event.data.serviceId)] };
    case 'ModelVersionDeployed':
      return { ...s, deployedVersion: event.data.version };
    case 'MonitoringPlanned': {
      const { metric, threshold, direction, cadence, computation } = event.data;
      // A new plan keeps the computed history: windows already computed are not computed again.
      const computedThrough = s.monitoringPlans.find((p) => p.metric === metric)?.computedThrough;
      return {
        ...s,
        monitoringPlans: [
          ...s.monitoringPlans.filter((p) => p.metric !== metric),
          { metric, threshold, direction, cadence, computation, computedThrough },
        ],
      };
    }
    case 'MonitoringSignalComputed': {
      const { metric, window } = event.data;
      return {
        ...s,
        monitoringPlans: s.monitoringPlans.map((p) =>
          p.metric === metric ? { ...p, computedThrough: window.to } : p,
        ),
      };
    }
    case 'IncidentReported': {
      const { incidentId, classification, awareAt } = event.data;
      return {
        ...s,
        incidents: [
          ...s.incidents,
          { incidentId, classification, awareAt, closed: false, notifications: [] },
        ],
      };
    }
    case 'IncidentNotificationRecorded': {
      const { incidentId, recipient, kind } = event.data;
      return updateIncident(s, incidentId, (i) => ({
        notifications: [...i.notifications, { recipient, kind }],
      }));
    }
    case 'IncidentClosed':
      return updateIncident(s, event.data.incidentId, () => ({ closed: true }));
    case 'TakedownDecided': {
      const { decisionId, action, fromVersion, toVersion, decidedBy, emergency } = event.data;
      const decision: DecisionRecord = {
        decisionId,
        decidedBy: personId(decidedBy),
        versions: [fromVersion, toVersion].filter((v) => v !== undefined),
        emergency,
        ratified: false,
      };
      const decided = { ...s, decisions: [...s.decisions, decision] };
      if (action === 'rollback') return { ...decided, deployedVersion: toVersion };
      if (action === 'retire') return { ...decided, deployedVersion: undefined };
      return decided;
    }
    case 'TakedownRatified':
      return {
        ...s,
        decisions: s.decisions.map((d) =>
          d.decisionId === event.data.decisionId ? { ...d, ratified: true } : d,
        ),
      };
    case 'AiSystemReinstated': {
      const { decisionId, decidedBy, version } = event.data;
      const decision: DecisionRecord = {
        decisionId,
        decidedBy: personId(decidedBy),
        versions: [version],
        emergency: false,
        ratified: false,
      };
      return { ...s, decisions: [...s.decisions, decision] };
    }
    case 'AuditRecorded': {
      const { auditId, findings } = event.data;
      return {
        ...s,
        auditIds: [...s.auditIds, auditId],
        auditFindings: [
          ...s.auditFindings,
          ...findings.map(({ findingId, severity, owner }) => ({
            auditId,
            findingId,
            severity,
            owner: personId(owner),
          })),
        ],
      };
    }
    case 'AuditFindingResolved':
      return updateFinding(s, event.data, { resolvedBy: personId(event.data.resolvedBy) });
    case 'AuditFindingClosureVerified':
      return updateFinding(s, event.data, { verifiedBy: personId(event.data.verifiedBy) });
    // Facts for the record and the read models; no rule depends on them.
    case 'MonitoringSignalRecorded':
    case 'MonitoringThresholdBreached':
    case 'IncidentStatusUpdated':
    case 'AccessLogReviewed':
      return s;
    default:
      return assertNever(event);
  }
}

function updateIncident(
  s: AiSystemRecord,
  incidentId: string,
  change: (incident: IncidentRecord) => Partial<IncidentRecord>,
): AiSystemRecord {
  return {
    ...s,
    incidents: s.incidents.map((i) => (i.incidentId === incidentId ? { ...i, ...change(i) } : i)),
  };
}

function updateFinding(
  s: AiSystemRecord,
  { auditId, findingId }: { auditId: string; findingId: string },
  change: Partial<AuditFindingRecord>,
): AiSystemRecord {
  return {
    ...s,
    auditFindings: s.auditFindings.map((f) =>
      f.auditId === auditId && f.findingId === findingId ? { ...f, ...change } : f,
    ),
  };
}

function updateAssignment(
  s: AiSystemRecord,
  assignmentId: string,
  change: Partial<Assignment>,
): AiSystemRecord {
  return {
    ...s,
    assignments: s.assignments.map((a) => (a.assignmentId === assignmentId ? { ...a, ...change } : a)),
  };
}
