/** The accountability registry as auditors query it; one row per fact, keyed by tenant. */
export interface RegistryTables {
  reg_systems: {
    tenant_id: string;
    system_id: string;
    name: string;
    intended_use: string;
    clinical_domain: string;
    risk_class: string;
    supplier: string;
    vendor_name: string | null;
    sites: string;
    status: string;
    deployed_version: string | null;
    registered_at: string;
    registered_event_id: string;
    /** Makes a replayed event a no-op for updates. */
    last_position: string;
  };
  reg_system_sites: { tenant_id: string; system_id: string; site: string };
  reg_assignments: {
    tenant_id: string;
    system_id: string;
    assignment_id: string;
    role: string;
    assignee: string;
    effective_from: string;
    assigned_by: string;
    assigned_event_id: string;
    accepted_at: string | null;
    accepted_event_id: string | null;
    effective_to: string | null;
    revoked_by: string | null;
    revoke_reason: string | null;
    revoked_event_id: string | null;
  };
  reg_versions: {
    tenant_id: string;
    system_id: string;
    version: string;
    artifact_sha256: string;
    training_dataset_ids: string;
    code_revision: string;
    parent_version: string | null;
    change_summary: string;
    within_change_control_plan: number;
    developer: string;
    registered_at: string;
    event_id: string;
  };
  reg_validations: {
    tenant_id: string;
    system_id: string;
    validation_id: string;
    version: string;
    dataset_id: string;
    metrics: string;
    subgroup_results: string;
    passed: number;
    validator: string;
    validated_at: string;
    event_id: string;
  };
  reg_approvals: {
    tenant_id: string;
    system_id: string;
    version: string;
    discipline: string;
    reviewer: string;
    approved_at: string;
    event_id: string;
  };
  /** Which version served patients from when: deployments, rollbacks, suspensions, retirements and reinstatements. */
  reg_live_versions: {
    tenant_id: string;
    system_id: string;
    position: string;
    from_at: string;
    version: string | null;
    cause: string;
    event_id: string;
  };
  reg_access_policies: {
    tenant_id: string;
    system_id: string;
    document_ref: string;
    permitted_roles: string;
    permitted_purposes: string;
    recorded_at: string;
    event_id: string;
  };
  reg_audit_sources: {
    tenant_id: string;
    system_id: string;
    source_service: string;
    registered_at: string;
    event_id: string;
  };
  reg_monitoring_plans: {
    tenant_id: string;
    system_id: string;
    metric: string;
    threshold: number;
    direction: string;
    cadence: string;
    planned_at: string;
    event_id: string;
  };
  reg_signals: {
    event_id: string;
    tenant_id: string;
    system_id: string;
    position: string;
    kind: string;
    metric: string;
    value: number;
    subgroup: string | null;
    observed_at: string;
    version: string | null;
    breached: number;
    breach_event_id: string | null;
  };
  reg_incidents: {
    tenant_id: string;
    system_id: string;
    incident_id: string;
    severity: string;
    description: string;
    patient_harmed: number;
    aware_at: string;
    version: string | null;
    status: string;
    reported_by: string;
    reported_at: string;
    closed_at: string | null;
    resolution: string | null;
    event_id: string;
  };
  reg_decisions: {
    tenant_id: string;
    system_id: string;
    decision_id: string;
    action: string;
    from_version: string | null;
    to_version: string | null;
    rationale: string;
    evidence: string;
    decided_by: string;
    decided_at: string;
    emergency: number;
    ratification_due_by: string | null;
    ratified_by: string | null;
    ratified_at: string | null;
    event_id: string;
    ratified_event_id: string | null;
  };
  reg_audits: {
    tenant_id: string;
    system_id: string;
    audit_id: string;
    scope: string;
    findings: string;
    auditor: string;
    recorded_at: string;
    event_id: string;
  };
  reg_datasets: {
    tenant_id: string;
    dataset_id: string;
    name: string;
    classification: string;
    legal_basis: string;
    steward: string;
    source: string;
    retention_period: string;
    registered_at: string;
    event_id: string;
  };
  reg_dataset_approvals: {
    tenant_id: string;
    dataset_id: string;
    purpose: string;
    approved_by: string;
    approved_at: string;
    event_id: string;
  };
}
