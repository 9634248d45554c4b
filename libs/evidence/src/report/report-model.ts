import {
  upcast,
  type AiSystemEventOf,
  type AiSystemEventType,
  type ClinicalUseEvent,
  type DataAccessedEvent,
  type DatasetEventOf,
  type ErasureEvent,
  type EvidenceEvent,
} from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';

type Data<T extends AiSystemEventType | ClinicalUseEvent['type']> = T extends AiSystemEventType
  ? AiSystemEventOf<T>['data']
  : Extract<ClinicalUseEvent, { type: T }>['data'];

/** Where a fact comes from: the event that records it, findable in events.jsonl. */
export interface Source {
  eventId: string;
  position: string;
  at: string;
}

export interface AssignmentRow {
  assignmentId: string;
  role: string;
  assignee: string;
  assignedBy: string;
  effectiveFrom: string;
  acceptedAt?: string;
  effectiveTo?: string;
  revokedBy?: string;
  revokeReason?: string;
  source: Source;
}

export interface VersionRow {
  version: string;
  registration?: Data<'ModelVersionRegistered'> & { source: Source };
  validations: Array<Data<'ValidationResultRecorded'> & { source: Source }>;
  approvals: Array<Data<'DeploymentApproved'> & { source: Source }>;
}

export interface MetricSummary {
  metric: string;
  count: number;
  min: number;
  max: number;
  last: { value: number; observedAt: string; subgroup?: string };
}

/** A signal the ledger computed, with the plan's threshold it was held against. */
export interface ComputedSignalRow {
  metric: string;
  subgroup?: string;
  method: string;
  value: number;
  n: number;
  window: { from: string; to: string };
  threshold?: number;
  direction?: string;
  breached: boolean;
  source: Source;
}

export interface ComputedSignalSummary {
  metric: string;
  subgroup?: string;
  count: number;
  breaches: number;
  last: ComputedSignalRow;
}

/** What was recorded of the system's clinical use: counted, never listed (a busy model records 100,000 outputs a day). */
export interface ClinicalUseTally {
  outputs: number;
  responses: Map<string, number>;
  outcomes: Map<string, number>;
  findings: Array<Data<'AiOutputFlagged'> & { source: Source }>;
  findingCount: number;
}

export interface IncidentRow {
  report: Data<'IncidentReported'> & { source: Source };
  updates: Array<Data<'IncidentStatusUpdated'> & { source: Source }>;
  notifications: Array<Data<'IncidentNotificationRecorded'> & { source: Source }>;
  closed?: Data<'IncidentClosed'> & { source: Source };
}

/** A finding as its audit recorded it, and how far it got towards closure in the period. */
export interface AuditFindingRow {
  auditId: string;
  finding: Data<'AuditRecorded'>['findings'][number];
  auditor: string;
  source: Source;
  resolved?: Data<'AuditFindingResolved'> & { source: Source };
  verified?: Data<'AuditFindingClosureVerified'> & { source: Source };
}

/** A review of access logs, of the system or of a dataset it uses. */
export interface AccessReviewRow {
  scope: string;
  periodFrom: string;
  periodTo: string;
  outcome: string;
  note: string;
  reviewer: string;
  reviewedAt: string;
  source: Source;
}

export interface DecisionRow {
  decision: (Data<'TakedownDecided'> | Data<'AiSystemReinstated'>) & {
    source: Source;
    kind: 'takedown' | 'reinstatement';
  };
  ratified?: Data<'TakedownRatified'> & { source: Source };
}

// Bounded views of what can be numerous, so the report stays readable and the fold stays small.
const RECENT_SIGNALS = 50;
const TALLY_KEYS = 200;

/**
 * The report's facts, folded from the bundled events as they stream past:
 * every governance event is kept (they are few), data access is only counted
 * (it is most of the volume). Each fact carries the event that records it.
 */
export class ReportModel {
  registration?: Data<'AiSystemRegistered'> & { source: Source };
  status = 'proposed';
  statusHistory: Array<Data<'AiSystemStatusChanged'> & { source: Source }> = [];
  assignments = new Map<string, AssignmentRow>();
  versions = new Map<string, VersionRow>();
  deployments: Array<Data<'ModelVersionDeployed'> & { source: Source }> = [];
  accessPolicies: Array<Data<'AccessPolicyRecorded'> & { source: Source }> = [];
  auditSources: Array<Data<'AuditSourceRegistered'> & { source: Source }> = [];
  monitoringPlans: Array<Data<'MonitoringPlanned'> & { source: Source }> = [];
  signalSummaries = new Map<string, MetricSummary>();
  recentSignals: Array<Data<'MonitoringSignalRecorded'> & { source: Source }> = [];
  computedSummaries = new Map<string, ComputedSignalSummary>();
  recentComputed: ComputedSignalRow[] = [];
  computedCount = 0;
  clinicalUse: ClinicalUseTally = {
    outputs: 0,
    responses: new Map(),
    outcomes: new Map(),
    findings: [],
    findingCount: 0,
  };
  breaches: Array<Data<'MonitoringThresholdBreached'> & { source: Source }> = [];
  incidents = new Map<string, IncidentRow>();
  decisions = new Map<string, DecisionRow>();
  audits: Array<Data<'AuditRecorded'> & { source: Source }> = [];
  auditFindings = new Map<string, AuditFindingRow>();
  accessReviews: AccessReviewRow[] = [];
  datasetEvents: Array<{ type: string; datasetId: string; summary: string; source: Source }> = [];
  exports: Array<EvidenceEvent['data'] & { source: Source }> = [];
  erasures: Array<ErasureEvent['data'] & { source: Source }> = [];
  dataAccess = {
    total: 0,
    withoutPatient: 0,
    byPurpose: new Map<string, number>(),
    byAction: new Map<string, number>(),
    byOutcome: new Map<string, number>(),
    byDataset: new Map<string, number>(),
  };
  eventsByType = new Map<string, number>();
  events = 0;
  firstPosition?: string;
  lastPosition?: string;

  add(event: StoredEvent): void {
    this.events++;
    this.firstPosition ??= event.position.toString();
    this.lastPosition = event.position.toString();
    tally(this.eventsByType, event.type);
    const source: Source = {
      eventId: event.eventId,
      position: event.position.toString(),
      at: event.metadata.occurredAt,
    };
    // The volume of clinical use: counted as it streams past, read as stored (each has only a v1).
    switch (event.type) {
      case 'AiOutputProduced':
        this.clinicalUse.outputs++;
        return;
      case 'ClinicianResponseRecorded':
        return tally(this.clinicalUse.responses, (event.data as Data<'ClinicianResponseRecorded'>).response);
      case 'OutcomeObserved': {
        const outcome = event.data as Data<'OutcomeObserved'>;
        return tally(this.clinicalUse.outcomes, outcome.label ?? '(a value, no label)');
      }
      case 'AiOutputFlagged':
        this.clinicalUse.findingCount++;
        if (this.clinicalUse.findings.length < RECENT_SIGNALS)
          this.clinicalUse.findings.push({ ...(event.data as Data<'AiOutputFlagged'>), source });
        return;
    }
    // Read in the current shape: an audit stored before findings had owners reads with its auditor as owner.
    const d = (event.type === 'DataAccessed' ? event.data : upcast(event).data) as never;
    switch (event.type) {
      case 'DataAccessed':
        return this.access(event.data as DataAccessedEvent['data']);
      case 'AiSystemRegistered':
        this.registration = { ...(d as Data<'AiSystemRegistered'>), source };
        return;
      case 'AiSystemStatusChanged':
        this.status = (d as Data<'AiSystemStatusChanged'>).to;
        this.statusHistory.push({ ...(d as Data<'AiSystemStatusChanged'>), source });
        return;
      case 'AccountabilityAssigned': {
        const a = d as Data<'AccountabilityAssigned'>;
        this.assignments.set(a.assignmentId, {
          assignmentId: a.assignmentId,
          role: a.role,
          assignee: a.assignee,
          assignedBy: a.assignedBy,
          effectiveFrom: a.effectiveFrom,
          source,
        });
        return;
      }
      case 'AccountabilityAccepted': {
        const row = this.assignments.get((d as Data<'AccountabilityAccepted'>).assignmentId);
        if (row) row.acceptedAt = (d as Data<'AccountabilityAccepted'>).acceptedAt;
        return;
      }
      case 'AccountabilityRevoked': {
        const r = d as Data<'AccountabilityRevoked'>;
        const row = this.assignments.get(r.assignmentId);
        if (row)
          Object.assign(row, { effectiveTo: r.effectiveTo, revokedBy: r.revokedBy, revokeReason: r.reason });
        return;
      }
      case 'ModelVersionRegistered':
        this.version((d as Data<'ModelVersionRegistered'>).version).registration = {
          ...(d as Data<'ModelVersionRegistered'>),
          source,
        };
        return;
      case 'ValidationResultRecorded':
        this.version((d as Data<'ValidationResultRecorded'>).version).validations.push({
          ...(d as Data<'ValidationResultRecorded'>),
          source,
        });
        return;
      case 'DeploymentApproved':
        this.version((d as Data<'DeploymentApproved'>).version).approvals.push({
          ...(d as Data<'DeploymentApproved'>),
          source,
        });
        return;
      case 'ModelVersionDeployed':
        this.deployments.push({ ...(d as Data<'ModelVersionDeployed'>), source });
        return;
      case 'AccessPolicyRecorded':
        this.accessPolicies.push({ ...(d as Data<'AccessPolicyRecorded'>), source });
        return;
      case 'AuditSourceRegistered':
        this.auditSources.push({ ...(d as Data<'AuditSourceRegistered'>), source });
        return;
      case 'MonitoringPlanned':
        this.monitoringPlans.push({ ...(d as Data<'MonitoringPlanned'>), source });
        return;
      case 'MonitoringSignalRecorded':
        return this.signal({ ...(d as Data<'MonitoringSignalRecorded'>), source });
      case 'MonitoringSignalComputed':
        return this.computed(d as Data<'MonitoringSignalComputed'>, source);
      case 'MonitoringThresholdBreached':
        this.breaches.push({ ...(d as Data<'MonitoringThresholdBreached'>), source });
        return;
      case 'IncidentReported': {
        const i = d as Data<'IncidentReported'>;
        this.incidents.set(i.incidentId, { report: { ...i, source }, updates: [], notifications: [] });
        return;
      }
      case 'IncidentStatusUpdated':
        this.incidents
          .get((d as Data<'IncidentStatusUpdated'>).incidentId)
          ?.updates.push({ ...(d as Data<'IncidentStatusUpdated'>), source });
        return;
      case 'IncidentNotificationRecorded':
        this.incidents
          .get((d as Data<'IncidentNotificationRecorded'>).incidentId)
          ?.notifications.push({ ...(d as Data<'IncidentNotificationRecorded'>), source });
        return;
      case 'IncidentClosed': {
        const row = this.incidents.get((d as Data<'IncidentClosed'>).incidentId);
        if (row) row.closed = { ...(d as Data<'IncidentClosed'>), source };
        return;
      }
      case 'TakedownDecided':
        this.decisions.set((d as Data<'TakedownDecided'>).decisionId, {
          decision: { ...(d as Data<'TakedownDecided'>), source, kind: 'takedown' },
        });
        return;
      case 'AiSystemReinstated':
        this.decisions.set((d as Data<'AiSystemReinstated'>).decisionId, {
          decision: { ...(d as Data<'AiSystemReinstated'>), source, kind: 'reinstatement' },
        });
        return;
      case 'TakedownRatified': {
        const row = this.decisions.get((d as Data<'TakedownRatified'>).decisionId);
        if (row) row.ratified = { ...(d as Data<'TakedownRatified'>), source };
        return;
      }
      case 'AuditRecorded': {
        const audit = d as Data<'AuditRecorded'>;
        this.audits.push({ ...audit, source });
        for (const finding of audit.findings)
          this.auditFindings.set(`${audit.auditId}/${finding.findingId}`, {
            auditId: audit.auditId,
            finding,
            auditor: audit.auditor,
            source,
          });
        return;
      }
      case 'AuditFindingResolved': {
        const r = d as Data<'AuditFindingResolved'>;
        const row = this.auditFindings.get(`${r.auditId}/${r.findingId}`);
        if (row) row.resolved = { ...r, source };
        return;
      }
      case 'AuditFindingClosureVerified': {
        const v = d as Data<'AuditFindingClosureVerified'>;
        const row = this.auditFindings.get(`${v.auditId}/${v.findingId}`);
        if (row) row.verified = { ...v, source };
        return;
      }
      case 'AccessLogReviewed': {
        const { systemId, ...review } = d as Data<'AccessLogReviewed'>;
        this.accessReviews.push({ scope: `system ${systemId}`, ...review, source });
        return;
      }
      case 'DatasetAccessLogReviewed': {
        const { datasetId, ...review } = d as DatasetEventOf<'DatasetAccessLogReviewed'>['data'];
        this.accessReviews.push({ scope: `dataset ${datasetId}`, ...review, source });
        return;
      }
      case 'EvidenceExported':
        this.exports.push({ ...(d as EvidenceEvent['data']), source });
        return;
      case 'ErasureRecorded':
        this.erasures.push({ ...(d as ErasureEvent['data']), source });
        return;
      default:
        if (event.type.startsWith('Dataset'))
          this.datasetEvents.push({
            type: event.type,
            datasetId: (d as { datasetId: string }).datasetId,
            summary: datasetSummary(event),
            source,
          });
    }
  }

  private access(data: DataAccessedEvent['data']): void {
    const { dataAccess } = this;
    dataAccess.total++;
    if (!data.patientPseudonym) dataAccess.withoutPatient++;
    tally(dataAccess.byPurpose, data.purposeOfUse);
    tally(dataAccess.byAction, data.action);
    tally(dataAccess.byOutcome, data.outcome);
    tally(dataAccess.byDataset, data.datasetId ?? data.resource ?? '(none)');
  }

  private signal(signal: Data<'MonitoringSignalRecorded'> & { source: Source }): void {
    const key = `${signal.metric}${signal.subgroup ? ` [${signal.subgroup}]` : ''}`;
    const summary = this.signalSummaries.get(key);
    const last = {
      value: signal.value,
      observedAt: signal.observedAt,
      ...(signal.subgroup ? { subgroup: signal.subgroup } : {}),
    };
    if (summary)
      Object.assign(summary, {
        count: summary.count + 1,
        min: Math.min(summary.min, signal.value),
        max: Math.max(summary.max, signal.value),
        last,
      });
    else if (this.signalSummaries.size < TALLY_KEYS)
      this.signalSummaries.set(key, { metric: key, count: 1, min: signal.value, max: signal.value, last });
    this.recentSignals.push(signal);
    if (this.recentSignals.length > RECENT_SIGNALS) this.recentSignals.shift();
  }

  /** Holds a computed signal against the latest plan for its metric, as the ledger's breach rule does. */
  private computed(signal: Data<'MonitoringSignalComputed'>, source: Source): void {
    const plan = this.monitoringPlans.filter((p) => p.metric === signal.metric).at(-1);
    const breached =
      plan !== undefined &&
      (plan.direction === 'min' ? signal.value < plan.threshold : signal.value > plan.threshold);
    const row: ComputedSignalRow = {
      metric: signal.metric,
      ...(signal.subgroup ? { subgroup: signal.subgroup } : {}),
      method: signal.method,
      value: signal.value,
      n: signal.n,
      window: signal.window,
      ...(plan ? { threshold: plan.threshold, direction: plan.direction } : {}),
      breached,
      source,
    };
    this.computedCount++;
    const key = `${signal.metric}${signal.subgroup ? ` [${signal.subgroup}]` : ''}`;
    const summary = this.computedSummaries.get(key);
    if (summary)
      Object.assign(summary, {
        count: summary.count + 1,
        breaches: summary.breaches + Number(breached),
        last: row,
      });
    else if (this.computedSummaries.size < TALLY_KEYS)
      this.computedSummaries.set(key, {
        metric: signal.metric,
        ...(signal.subgroup ? { subgroup: signal.subgroup } : {}),
        count: 1,
        breaches: Number(breached),
        last: row,
      });
    this.recentComputed.push(row);
    if (this.recentComputed.length > RECENT_SIGNALS) this.recentComputed.shift();
  }

  /** What the manifest counts of the system's clinical use. */
  clinicalUseCounts() {
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return {
      outputs: this.clinicalUse.outputs,
      responses: sum(this.clinicalUse.responses),
      outcomes: sum(this.clinicalUse.outcomes),
      findings: this.clinicalUse.findingCount,
      computedSignals: this.computedCount,
    };
  }

  private version(version: string): VersionRow {
    let row = this.versions.get(version);
    if (!row) this.versions.set(version, (row = { version, validations: [], approvals: [] }));
    return row;
  }
}

/** Counts by key, with everything past the first TALLY_KEYS distinct keys under "(other)". */
function tally(counts: Map<string, number>, key: string): void {
  const at = counts.has(key) || counts.size < TALLY_KEYS ? key : '(other)';
  counts.set(at, (counts.get(at) ?? 0) + 1);
}

function datasetSummary(event: StoredEvent): string {
  switch (event.type) {
    case 'DatasetRegistered': {
      const d = event.data as DatasetEventOf<'DatasetRegistered'>['data'];
      return `registered "${d.name}" (${d.classification}), source ${d.source}, legal basis ${d.legalBasis}, steward ${d.steward}, retention ${d.retentionPeriod}`;
    }
    case 'DatasetApproved': {
      const d = event.data as DatasetEventOf<'DatasetApproved'>['data'];
      return `approved for ${d.purpose} by ${d.approvedBy}`;
    }
    case 'DatasetAccessGranted': {
      const d = event.data as DatasetEventOf<'DatasetAccessGranted'>['data'];
      return `access granted to ${d.principal} for ${d.purpose} until ${d.expiresAt} by ${d.grantedBy}`;
    }
    case 'DatasetAccessRevoked': {
      const d = event.data as DatasetEventOf<'DatasetAccessRevoked'>['data'];
      return `access of ${d.principal} for ${d.purpose} revoked by ${d.revokedBy}: ${d.reason}`;
    }
    case 'DatasetAccessPolicyRecorded': {
      const d = event.data as DatasetEventOf<'DatasetAccessPolicyRecorded'>['data'];
      return `access policy ${d.documentRef} recorded by ${d.recordedBy}: access logs reviewed every ${d.reviewEveryDays} days`;
    }
    default:
      return event.type;
  }
}
