import { assertNever } from '../shared/domain-error';
import type { AiSystemEvent, AiSystemEventOf } from './events';
import type { AccountabilityRole, LifecycleStatus, ReviewDiscipline, ThresholdDirection } from './vocabulary';

/**
 * What the deciders need to know about one AI system, folded from its stream.
 * It holds only what some rule or query reads; descriptive fields (name,
 * intended use, ...) live in the events and the read models.
 */
export type AiSystemState = { status: 'unregistered' } | AiSystemRecord;

export interface AiSystemRecord {
  status: LifecycleStatus;
  systemId: string;
  assignments: Assignment[];
  /** In registration order, which is what "an earlier version" means for a rollback. */
  versions: ModelVersion[];
  validations: ValidationRecord[];
  approvals: Approval[];
  accessPolicyRecorded: boolean;
  auditSources: string[];
  monitoringPlans: MonitoringPlan[];
  incidents: IncidentRecord[];
  /** Takedown and reinstatement decisions; they share one id space. */
  decisions: DecisionRecord[];
  auditIds: string[];
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
  developer: string;
}

export interface ValidationRecord {
  validationId: string;
  version: string;
  passed: boolean;
  validatedAt: string;
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
}

export interface IncidentRecord {
  incidentId: string;
  closed: boolean;
}

export interface DecisionRecord {
  decisionId: string;
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
    validations: [],
    approvals: [],
    accessPolicyRecorded: false,
    auditSources: [],
    monitoringPlans: [],
    incidents: [],
    decisions: [],
    auditIds: [],
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
      return { ...s, assignments: [...s.assignments, { assignmentId, role, assignee, effectiveFrom }] };
    }
    case 'AccountabilityAccepted':
      return updateAssignment(s, event.data.assignmentId, { acceptedAt: event.data.acceptedAt });
    case 'AccountabilityRevoked':
      return updateAssignment(s, event.data.assignmentId, { effectiveTo: event.data.effectiveTo });
    case 'ModelVersionRegistered': {
      const { version, artifactSha256, trainingDatasetIds, developer } = event.data;
      return { ...s, versions: [...s.versions, { version, artifactSha256, trainingDatasetIds, developer }] };
    }
    case 'ValidationResultRecorded': {
      const { validationId, version, passed, validatedAt } = event.data;
      return { ...s, validations: [...s.validations, { validationId, version, passed, validatedAt }] };
    }
    case 'DeploymentApproved': {
      const { version, discipline, reviewer } = event.data;
      return { ...s, approvals: [...s.approvals, { version, discipline, reviewer }] };
    }
    case 'AccessPolicyRecorded':
      return { ...s, accessPolicyRecorded: true };
    case 'AuditSourceRegistered':
      return { ...s, auditSources: [...s.auditSources, event.data.sourceService] };
    case 'ModelVersionDeployed':
      return { ...s, deployedVersion: event.data.version };
    case 'MonitoringPlanned': {
      const { metric, threshold, direction } = event.data;
      return {
        ...s,
        monitoringPlans: [
          ...s.monitoringPlans.filter((p) => p.metric !== metric),
          { metric, threshold, direction },
        ],
      };
    }
    case 'IncidentReported':
      return { ...s, incidents: [...s.incidents, { incidentId: event.data.incidentId, closed: false }] };
    case 'IncidentClosed':
      return {
        ...s,
        incidents: s.incidents.map((i) =>
          i.incidentId === event.data.incidentId ? { ...i, closed: true } : i,
        ),
      };
    case 'TakedownDecided': {
      const { decisionId, action, toVersion, emergency } = event.data;
      const decisions = [...s.decisions, { decisionId, emergency, ratified: false }];
      if (action === 'rollback') return { ...s, decisions, deployedVersion: toVersion };
      if (action === 'retire') return { ...s, decisions, deployedVersion: undefined };
      return { ...s, decisions };
    }
    case 'TakedownRatified':
      return {
        ...s,
        decisions: s.decisions.map((d) =>
          d.decisionId === event.data.decisionId ? { ...d, ratified: true } : d,
        ),
      };
    case 'AiSystemReinstated':
      return {
        ...s,
        decisions: [...s.decisions, { decisionId: event.data.decisionId, emergency: false, ratified: false }],
      };
    case 'AuditRecorded':
      return { ...s, auditIds: [...s.auditIds, event.data.auditId] };
    // Facts for the record and the read models; no rule depends on them.
    case 'MonitoringSignalRecorded':
    case 'MonitoringThresholdBreached':
    case 'IncidentStatusUpdated':
      return s;
    default:
      return assertNever(event);
  }
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
