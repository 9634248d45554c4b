import type { CommandMeta } from '../shared/command-meta';
import type {
  AccessReviewOutcome,
  AccountabilityRole,
  ComputedMetric,
  FindingSeverity,
  IncidentClassification,
  IncidentProgress,
  IncidentSeverity,
  NotificationKind,
  NotificationRecipient,
  ReviewDiscipline,
  RiskClass,
  SignalKind,
  SubgroupDimension,
  Supplier,
  TakedownAction,
  ThresholdDirection,
} from './vocabulary';

/**
 * Commands on one AI system. Ids (assignmentId, validationId, ...) are chosen
 * by the caller, so a retried command names the same thing; the domain never
 * invents ids or reads a clock.
 */

interface OnSystem<T extends string> {
  type: T;
  systemId: string;
  meta: CommandMeta;
}

export interface RegisterAiSystem extends OnSystem<'RegisterAiSystem'> {
  name: string;
  intendedUse: string;
  clinicalDomain: string;
  riskClass: RiskClass;
  supplier: Supplier;
  vendorName?: string;
  sites: string[];
}

export interface AssignAccountability extends OnSystem<'AssignAccountability'> {
  assignmentId: string;
  role: AccountabilityRole;
  assignee: string;
  /** Not before `meta.at`; a time within `CLOCK_SKEW_ALLOWANCE_MS` before it is read as `meta.at`. */
  effectiveFrom: string;
}

export interface AcceptAccountability extends OnSystem<'AcceptAccountability'> {
  assignmentId: string;
}

export interface RevokeAccountability extends OnSystem<'RevokeAccountability'> {
  assignmentId: string;
  reason: string;
  /** When the role ends; defaults to `meta.at`, and like an assignment never takes effect before it. */
  effectiveAt?: string;
}

export interface RegisterModelVersion extends OnSystem<'RegisterModelVersion'> {
  version: string;
  artifactSha256: string;
  trainingDatasetIds: string[];
  codeRevision: string;
  parentVersion?: string;
  changeSummary: string;
  withinChangeControlPlan: boolean;
  /** Who developed the version, when not the person registering it; the registrant is an author either way. */
  developer?: string;
}

export interface PlannedMetric {
  name: string;
  threshold: number;
  direction: ThresholdDirection;
}

/**
 * What a validation of the version will measure and what it must reach, fixed
 * before any result is seen. The planner is `meta.actor`; the handler reads
 * `dataset` from the validation dataset's own stream (see `datasetSnapshot`).
 */
export interface PlanValidation extends OnSystem<'PlanValidation'> {
  version: string;
  datasetId: string;
  /** The snapshot of `datasetId`; a missing or other one counts as unregistered. */
  dataset: DatasetSnapshot;
  metrics: PlannedMetric[];
  subgroups: Array<{ subgroup: string; metrics: PlannedMetric[] }>;
}

export interface MeasuredMetric {
  name: string;
  value: number;
}

/**
 * The validator is `meta.actor`: naming someone else would let a developer
 * validate their own work. Thresholds, directions and the dataset come from
 * the version's validation plan; pass or fail is computed.
 */
export interface RecordValidationResult extends OnSystem<'RecordValidationResult'> {
  validationId: string;
  version: string;
  metrics: MeasuredMetric[];
  subgroupResults: Array<{ subgroup: string; metrics: MeasuredMetric[] }>;
}

/** The reviewer is `meta.actor`. */
export interface ApproveDeployment extends OnSystem<'ApproveDeployment'> {
  version: string;
  discipline: ReviewDiscipline;
}

export interface RecordAccessPolicy extends OnSystem<'RecordAccessPolicy'> {
  documentRef: string;
  permittedRoles: string[];
  permittedPurposes: string[];
  /** How often the system's access logs must be reviewed; none asks for no review. */
  reviewEveryDays?: number;
}

export interface RegisterAuditSource extends OnSystem<'RegisterAuditSource'> {
  sourceService: string;
  /** ISO 8601 duration: longer than this without a data-access event from the source, and it counts as silent. */
  expectedInterval: string;
}

/**
 * A review of access logs (HIPAA §164.308(a)(1)(ii)(D)). The reviewer is
 * `meta.actor` and the review happens at `meta.at`: naming someone else, or
 * an earlier day, would let anyone claim a review nobody made.
 */
export interface AccessLogReviewFields {
  periodFrom: string;
  periodTo: string;
  outcome: AccessReviewOutcome;
  note: string;
}

export interface RecordAccessLogReview extends OnSystem<'RecordAccessLogReview'>, AccessLogReviewFields {}

/** A service allowed to record monitoring signals, named by the token subject it authenticates as. */
export interface RegisterMonitoringSource extends OnSystem<'RegisterMonitoringSource'> {
  serviceId: string;
}

/**
 * What the command handler read from a dataset's own stream (see
 * `datasetSnapshot`). Datasets are separate aggregates; passing a snapshot
 * keeps the decider pure.
 */
export interface DatasetSnapshot {
  datasetId: string;
  registered: boolean;
  approvedPurposes: string[];
  /** Who approved each purpose. */
  approvals: Array<{ purpose: string; approvedBy: string }>;
}

export interface DeployModelVersion extends OnSystem<'DeployModelVersion'> {
  version: string;
  /** One snapshot per training dataset of the version; a missing one counts as unregistered. */
  datasets: DatasetSnapshot[];
}

export interface PlanMonitoring extends OnSystem<'PlanMonitoring'> {
  metric: string;
  threshold: number;
  direction: ThresholdDirection;
  cadence: string;
  computation?: MonitoringComputation;
}

/** How the ledger computes a planned metric itself (see MonitoringPlanned v2). */
export interface MonitoringComputation {
  window: string;
  minSamples: number;
  positiveLabel?: string;
  settle?: string;
  subgroups?: SubgroupDimension[];
}

/**
 * One window of a computed plan, measured by the ledger's own worker: every
 * value it yielded (the whole population and each subgroup band that met the
 * minimum sample), with the inputs each was read from and the signed
 * checkpoint covering them. No person or service issues it.
 */
export interface RecordComputedSignal extends OnSystem<'RecordComputedSignal'> {
  metric: ComputedMetric;
  window: { from: string; to: string };
  /** The version live at the window end, as the registry recorded it. */
  version?: string;
  checkpoint: { treeSize: number; rootHash: string };
  values: ComputedSignalValue[];
}

export interface ComputedSignalValue {
  value: number;
  n: number;
  subgroup?: string;
  inputs: {
    throughPosition: string;
    count: number;
    firstPosition: string;
    lastPosition: string;
    positionsSha256: string;
  };
}

export interface RecordMonitoringSignal extends OnSystem<'RecordMonitoringSignal'> {
  kind: SignalKind;
  metric: string;
  value: number;
  subgroup?: string;
  observedAt: string;
}

export interface ReportIncident extends OnSystem<'ReportIncident'> {
  incidentId: string;
  /** The Art 73 class: sets the notification deadline, counted from `awareAt`. */
  classification: IncidentClassification;
  severity: IncidentSeverity;
  description: string;
  patientHarmed: boolean;
  awareAt: string;
  version?: string;
}

export interface UpdateIncidentStatus extends OnSystem<'UpdateIncidentStatus'> {
  incidentId: string;
  status: IncidentProgress;
  note: string;
}

/** The sender is `meta.actor`; `sentAt` is checked against `meta.at`, so a notification cannot be backdated. */
export interface RecordIncidentNotification extends OnSystem<'RecordIncidentNotification'> {
  incidentId: string;
  recipient: NotificationRecipient;
  kind: NotificationKind;
  /** The recipient's case number, or the letter's or message's reference. */
  reference: string;
  sentAt: string;
}

export interface CloseIncident extends OnSystem<'CloseIncident'> {
  incidentId: string;
  resolution: string;
}

export interface DecideTakedown extends OnSystem<'DecideTakedown'> {
  decisionId: string;
  action: TakedownAction;
  /** Required for a rollback: the earlier, validated version to go back to. */
  toVersion?: string;
  rationale: string;
  evidence: string[];
  /** A security officer acting without the takedown authority; needs ratification. */
  emergency?: boolean;
}

export interface RatifyTakedown extends OnSystem<'RatifyTakedown'> {
  decisionId: string;
}

export interface ReinstateAiSystem extends OnSystem<'ReinstateAiSystem'> {
  decisionId: string;
  rationale: string;
  evidence: string[];
}

export interface AuditFindingInput {
  /** Unique within the audit. */
  findingId: string;
  severity: FindingSeverity;
  description: string;
  /** The person who must resolve it. */
  owner: string;
  /** After the audit: by when the owner must have it resolved and its closure verified. */
  dueAt: string;
}

export interface RecordAudit extends OnSystem<'RecordAudit'> {
  auditId: string;
  scope: string;
  findings: AuditFindingInput[];
}

/** Only the finding's owner resolves it. */
export interface ResolveAuditFinding extends OnSystem<'ResolveAuditFinding'> {
  auditId: string;
  findingId: string;
  resolution: string;
}

/** The verifier is `meta.actor`, never the owner: nobody closes their own finding. */
export interface VerifyAuditFindingClosure extends OnSystem<'VerifyAuditFindingClosure'> {
  auditId: string;
  findingId: string;
  note: string;
}

export type AiSystemCommand =
  | RegisterAiSystem
  | AssignAccountability
  | AcceptAccountability
  | RevokeAccountability
  | RegisterModelVersion
  | PlanValidation
  | RecordValidationResult
  | ApproveDeployment
  | RecordAccessPolicy
  | RegisterAuditSource
  | RegisterMonitoringSource
  | DeployModelVersion
  | PlanMonitoring
  | RecordMonitoringSignal
  | RecordComputedSignal
  | ReportIncident
  | UpdateIncidentStatus
  | RecordIncidentNotification
  | CloseIncident
  | DecideTakedown
  | RatifyTakedown
  | ReinstateAiSystem
  | RecordAudit
  | ResolveAuditFinding
  | VerifyAuditFindingClosure
  | RecordAccessLogReview;

export type AiSystemCommandType = AiSystemCommand['type'];
