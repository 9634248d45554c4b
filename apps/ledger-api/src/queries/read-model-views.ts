import {
  parseJson,
  type DataAccessRow,
  type RoleHolding,
  type SystemRow,
  type systemDetails,
} from '@ledger/read-models';
import type { MonitoringComputation } from '@ledger/domain';

type Details = Awaited<ReturnType<typeof systemDetails>>;
type Row<K extends keyof Details> = ReturnType<Details[K]>[number];

/** Read-model rows as the GraphQL schema shows them: booleans from 0/1, lists from JSON, camelCase. */
export const views = {
  validation: (v: Row<'validations'>) => ({
    validationId: v.validation_id,
    datasetId: v.dataset_id,
    metrics: parseJson<unknown[]>(v.metrics),
    subgroupResults: parseJson<unknown[]>(v.subgroup_results),
    passed: v.passed === 1,
    validator: v.validator,
    validatedAt: v.validated_at,
    eventId: v.event_id,
  }),
  approval: (a: Row<'approvals'>) => ({
    discipline: a.discipline,
    reviewer: a.reviewer,
    approvedAt: a.approved_at,
    eventId: a.event_id,
  }),
  liveChange: (l: Row<'live'>) => ({
    at: l.from_at,
    version: l.version,
    cause: l.cause,
    eventId: l.event_id,
  }),
  incident: (i: Row<'incidents'>, notifications: Array<Row<'notifications'>>) => ({
    incidentId: i.incident_id,
    classification: i.classification,
    severity: i.severity,
    description: i.description,
    patientHarmed: i.patient_harmed === 1,
    awareAt: i.aware_at,
    dueAt: i.due_at,
    version: i.version,
    status: i.status,
    reportedBy: i.reported_by,
    reportedAt: i.reported_at,
    closedAt: i.closed_at,
    resolution: i.resolution,
    eventId: i.event_id,
    notifications: notifications
      .filter((n) => n.incident_id === i.incident_id)
      .map((n) => ({
        recipient: n.recipient,
        kind: n.kind,
        reference: n.reference,
        sentAt: n.sent_at,
        sentBy: n.sent_by,
        eventId: n.event_id,
      })),
  }),
  decision: (d: Row<'decisions'>) => ({
    decisionId: d.decision_id,
    action: d.action,
    fromVersion: d.from_version,
    toVersion: d.to_version,
    rationale: d.rationale,
    evidence: parseJson<string[]>(d.evidence),
    decidedBy: d.decided_by,
    decidedAt: d.decided_at,
    emergency: d.emergency === 1,
    ratificationDueBy: d.ratification_due_by,
    ratifiedBy: d.ratified_by,
    ratifiedAt: d.ratified_at,
    eventId: d.event_id,
  }),
  dataAccess: (r: DataAccessRow) => ({
    position: String(r.position),
    eventId: r.event_id,
    actor: r.actor,
    datasetId: r.dataset_id,
    resource: r.resource,
    patientPseudonym: r.patient_pseudonym,
    action: r.action,
    purposeOfUse: r.purpose,
    outcome: r.outcome,
    sourceService: r.source_service,
    systemId: r.system_id,
    occurredAt: r.occurred_at,
    violation: r.violation,
  }),
};

/** Versions with their validations, approvals and deployments, from rows already fetched for the page. */
export function versionsOf(systemId: string, details: Details) {
  return details.versions(systemId).map((v) => ({
    version: v.version,
    artifactSha256: v.artifact_sha256,
    parentVersion: v.parent_version,
    developer: v.developer,
    registeredAt: v.registered_at,
    validations: details
      .validations(systemId)
      .filter((x) => x.version === v.version)
      .map(views.validation),
    approvals: details
      .approvals(systemId)
      .filter((x) => x.version === v.version)
      .map(views.approval),
    deployments: details
      .live(systemId)
      .filter((x) => x.version === v.version)
      .map(views.liveChange),
  }));
}

export function aiSystemView(row: SystemRow, details: Details, holdings: RoleHolding[]) {
  const id = row.system_id;
  const incidents = details.incidents(id).map((i) => views.incident(i, details.notifications(id)));
  return {
    id,
    name: row.name,
    intendedUse: row.intended_use,
    clinicalDomain: row.clinical_domain,
    riskClass: row.risk_class,
    supplier: row.supplier,
    vendorName: row.vendor_name,
    sites: parseJson<string[]>(row.sites),
    status: row.status,
    deployedVersion: row.deployed_version,
    registeredAt: row.registered_at,
    accountability: holdings.filter((h) => h.systemId === id),
    versions: versionsOf(id, details),
    liveHistory: details.live(id).map(views.liveChange),
    incidents,
    openIncidents: incidents.filter((i) => i.status !== 'closed'),
    decisions: details.decisions(id).map(views.decision),
    monitoringPlans: details.plans(id).map((p) => ({
      metric: p.metric,
      threshold: p.threshold,
      direction: p.direction,
      cadence: p.cadence,
      plannedAt: p.planned_at,
      computation: p.computation && {
        subgroups: [],
        ...parseJson<MonitoringComputation>(p.computation),
      },
    })),
    signals: details.signals(id).map((s) => ({
      kind: s.kind,
      metric: s.metric,
      value: s.value,
      subgroup: s.subgroup,
      observedAt: s.observed_at,
      version: s.version,
      breached: s.breached === 1,
      eventId: s.event_id,
      method: s.method,
      n: s.n,
      window: s.window_from && s.window_to ? { from: s.window_from, to: s.window_to } : null,
    })),
    audits: details.audits(id).map((a) => ({
      auditId: a.audit_id,
      scope: a.scope,
      findings: parseJson<unknown[]>(a.findings),
      auditor: a.auditor,
      recordedAt: a.recorded_at,
      eventId: a.event_id,
    })),
  };
}
