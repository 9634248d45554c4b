import type { AiSystemEventOf, AiSystemEventType, DatasetEventOf } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Kysely } from 'kysely';
import { type ProjectionDefinition, utc } from '../projection';
import type { RegistryTables } from './registry-tables';

type Db = Kysely<RegistryTables>;
type Data<T extends AiSystemEventType> = AiSystemEventOf<T>['data'];

const json = (value: unknown) => JSON.stringify(value ?? null);

/**
 * The accountability registry: systems, their role holders over time, model
 * versions with validations and approvals, what was live when, monitoring,
 * incidents, takedowns, audits and datasets. Inserts ignore a row already
 * there and updates are keyed, so applying an event twice changes nothing.
 */
export const registryProjection: ProjectionDefinition<RegistryTables> = {
  name: 'registry',
  tables: [
    'reg_systems',
    'reg_system_sites',
    'reg_assignments',
    'reg_versions',
    'reg_validations',
    'reg_approvals',
    'reg_live_versions',
    'reg_access_policies',
    'reg_audit_sources',
    'reg_monitoring_plans',
    'reg_signals',
    'reg_incidents',
    'reg_decisions',
    'reg_audits',
    'reg_datasets',
    'reg_dataset_approvals',
  ],
  migrations: { '0001_registry': createRegistryTables },
  async apply(db, events) {
    for (const event of events) await applyEvent(db, event);
  },
};

async function createRegistryTables(db: Kysely<unknown>): Promise<void> {
  const text = 'text' as const;
  await db.schema
    .createTable('reg_systems')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('intended_use', text, (c) => c.notNull())
    .addColumn('clinical_domain', text, (c) => c.notNull())
    .addColumn('risk_class', text, (c) => c.notNull())
    .addColumn('supplier', text, (c) => c.notNull())
    .addColumn('vendor_name', text)
    .addColumn('sites', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('deployed_version', text)
    .addColumn('registered_at', text, (c) => c.notNull())
    .addColumn('registered_event_id', text, (c) => c.notNull())
    .addColumn('last_position', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_systems_pk', ['tenant_id', 'system_id'])
    .execute();
  await db.schema
    .createIndex('reg_systems_status')
    .on('reg_systems')
    .columns(['tenant_id', 'status', 'system_id'])
    .execute();
  await db.schema
    .createIndex('reg_systems_risk')
    .on('reg_systems')
    .columns(['tenant_id', 'risk_class', 'system_id'])
    .execute();
  await db.schema
    .createTable('reg_system_sites')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('site', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_system_sites_pk', ['tenant_id', 'site', 'system_id'])
    .execute();
  await db.schema
    .createTable('reg_assignments')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('assignment_id', text, (c) => c.notNull())
    .addColumn('role', text, (c) => c.notNull())
    .addColumn('assignee', text, (c) => c.notNull())
    .addColumn('effective_from', text, (c) => c.notNull())
    .addColumn('assigned_by', text, (c) => c.notNull())
    .addColumn('assigned_event_id', text, (c) => c.notNull())
    .addColumn('accepted_at', text)
    .addColumn('accepted_event_id', text)
    .addColumn('effective_to', text)
    .addColumn('revoked_by', text)
    .addColumn('revoke_reason', text)
    .addColumn('revoked_event_id', text)
    .addPrimaryKeyConstraint('reg_assignments_pk', ['tenant_id', 'system_id', 'assignment_id'])
    .execute();
  await db.schema
    .createIndex('reg_assignments_role')
    .on('reg_assignments')
    .columns(['tenant_id', 'system_id', 'role', 'effective_from'])
    .execute();
  await db.schema
    .createIndex('reg_assignments_assignee')
    .on('reg_assignments')
    .columns(['tenant_id', 'assignee'])
    .execute();
  await db.schema
    .createTable('reg_versions')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('version', text, (c) => c.notNull())
    .addColumn('artifact_sha256', text, (c) => c.notNull())
    .addColumn('training_dataset_ids', text, (c) => c.notNull())
    .addColumn('code_revision', text, (c) => c.notNull())
    .addColumn('parent_version', text)
    .addColumn('change_summary', text, (c) => c.notNull())
    .addColumn('within_change_control_plan', 'integer', (c) => c.notNull())
    .addColumn('developer', text, (c) => c.notNull())
    .addColumn('registered_at', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_versions_pk', ['tenant_id', 'system_id', 'version'])
    .execute();
  await db.schema
    .createTable('reg_validations')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('validation_id', text, (c) => c.notNull())
    .addColumn('version', text, (c) => c.notNull())
    .addColumn('dataset_id', text, (c) => c.notNull())
    .addColumn('metrics', text, (c) => c.notNull())
    .addColumn('subgroup_results', text, (c) => c.notNull())
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('validator', text, (c) => c.notNull())
    .addColumn('validated_at', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_validations_pk', ['tenant_id', 'system_id', 'validation_id'])
    .execute();
  await db.schema
    .createIndex('reg_validations_version')
    .on('reg_validations')
    .columns(['tenant_id', 'system_id', 'version', 'validated_at'])
    .execute();
  await db.schema
    .createTable('reg_approvals')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('version', text, (c) => c.notNull())
    .addColumn('discipline', text, (c) => c.notNull())
    .addColumn('reviewer', text, (c) => c.notNull())
    .addColumn('approved_at', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_approvals_pk', ['tenant_id', 'system_id', 'version', 'discipline'])
    .execute();
  await db.schema
    .createTable('reg_live_versions')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .addColumn('from_at', text, (c) => c.notNull())
    .addColumn('version', text)
    .addColumn('cause', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_live_versions_pk', ['tenant_id', 'system_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('reg_live_versions_at')
    .on('reg_live_versions')
    .columns(['tenant_id', 'system_id', 'from_at'])
    .execute();
  for (const [table, columns] of [
    ['reg_access_policies', ['document_ref', 'permitted_roles', 'permitted_purposes', 'recorded_at']],
    ['reg_audit_sources', ['source_service', 'registered_at']],
  ] as const) {
    let create = db.schema
      .createTable(table)
      .addColumn('tenant_id', text, (c) => c.notNull())
      .addColumn('system_id', text, (c) => c.notNull());
    for (const column of columns) create = create.addColumn(column, text, (c) => c.notNull());
    await create.addColumn('event_id', text, (c) => c.primaryKey()).execute();
    await db.schema.createIndex(`${table}_system`).on(table).columns(['tenant_id', 'system_id']).execute();
  }
  await db.schema
    .createTable('reg_monitoring_plans')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('metric', text, (c) => c.notNull())
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    .addColumn('direction', text, (c) => c.notNull())
    .addColumn('cadence', text, (c) => c.notNull())
    .addColumn('planned_at', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_monitoring_plans_pk', ['tenant_id', 'system_id', 'metric'])
    .execute();
  await db.schema
    .createTable('reg_signals')
    .addColumn('event_id', text, (c) => c.primaryKey())
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('metric', text, (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('subgroup', text)
    .addColumn('observed_at', text, (c) => c.notNull())
    .addColumn('version', text)
    .addColumn('breached', 'integer', (c) => c.notNull())
    .addColumn('breach_event_id', text)
    .execute();
  await db.schema
    .createIndex('reg_signals_metric')
    .on('reg_signals')
    .columns(['tenant_id', 'system_id', 'metric', 'observed_at'])
    .execute();
  await db.schema
    .createTable('reg_incidents')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('incident_id', text, (c) => c.notNull())
    .addColumn('severity', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    .addColumn('patient_harmed', 'integer', (c) => c.notNull())
    .addColumn('aware_at', text, (c) => c.notNull())
    .addColumn('version', text)
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('reported_by', text, (c) => c.notNull())
    .addColumn('reported_at', text, (c) => c.notNull())
    .addColumn('closed_at', text)
    .addColumn('resolution', text)
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_incidents_pk', ['tenant_id', 'system_id', 'incident_id'])
    .execute();
  await db.schema
    .createTable('reg_decisions')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('decision_id', text, (c) => c.notNull())
    .addColumn('action', text, (c) => c.notNull())
    .addColumn('from_version', text)
    .addColumn('to_version', text)
    .addColumn('rationale', text, (c) => c.notNull())
    .addColumn('evidence', text, (c) => c.notNull())
    .addColumn('decided_by', text, (c) => c.notNull())
    .addColumn('decided_at', text, (c) => c.notNull())
    .addColumn('emergency', 'integer', (c) => c.notNull())
    .addColumn('ratification_due_by', text)
    .addColumn('ratified_by', text)
    .addColumn('ratified_at', text)
    .addColumn('event_id', text, (c) => c.notNull())
    .addColumn('ratified_event_id', text)
    .addPrimaryKeyConstraint('reg_decisions_pk', ['tenant_id', 'system_id', 'decision_id'])
    .execute();
  await db.schema
    .createTable('reg_audits')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('system_id', text, (c) => c.notNull())
    .addColumn('audit_id', text, (c) => c.notNull())
    .addColumn('scope', text, (c) => c.notNull())
    .addColumn('findings', text, (c) => c.notNull())
    .addColumn('auditor', text, (c) => c.notNull())
    .addColumn('recorded_at', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_audits_pk', ['tenant_id', 'system_id', 'audit_id'])
    .execute();
  await db.schema
    .createTable('reg_datasets')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('dataset_id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('classification', text, (c) => c.notNull())
    .addColumn('legal_basis', text, (c) => c.notNull())
    .addColumn('steward', text, (c) => c.notNull())
    .addColumn('source', text, (c) => c.notNull())
    .addColumn('retention_period', text, (c) => c.notNull())
    .addColumn('registered_at', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_datasets_pk', ['tenant_id', 'dataset_id'])
    .execute();
  await db.schema
    .createTable('reg_dataset_approvals')
    .addColumn('tenant_id', text, (c) => c.notNull())
    .addColumn('dataset_id', text, (c) => c.notNull())
    .addColumn('purpose', text, (c) => c.notNull())
    .addColumn('approved_by', text, (c) => c.notNull())
    .addColumn('approved_at', text, (c) => c.notNull())
    .addColumn('event_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('reg_dataset_approvals_pk', ['tenant_id', 'dataset_id', 'purpose'])
    .execute();
}

async function applyEvent(db: Db, event: StoredEvent): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  const event_id = event.eventId;
  const position = event.position.toString();
  const at = utc(event.metadata.occurredAt);
  switch (event.type) {
    case 'AiSystemRegistered': {
      const d = event.data as Data<'AiSystemRegistered'>;
      await db
        .insertInto('reg_systems')
        .values({
          tenant_id,
          system_id: d.systemId,
          name: d.name,
          intended_use: d.intendedUse,
          clinical_domain: d.clinicalDomain,
          risk_class: d.riskClass,
          supplier: d.supplier,
          vendor_name: d.vendorName ?? null,
          sites: json(d.sites),
          status: 'proposed',
          deployed_version: null,
          registered_at: at,
          registered_event_id: event_id,
          last_position: position,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      if (d.sites.length > 0)
        await db
          .insertInto('reg_system_sites')
          .values(d.sites.map((site) => ({ tenant_id, system_id: d.systemId, site })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      return;
    }
    case 'AiSystemStatusChanged': {
      const d = event.data as Data<'AiSystemStatusChanged'>;
      await updateSystem(db, tenant_id, d.systemId, position, { status: d.to });
      return;
    }
    case 'AccountabilityAssigned': {
      const d = event.data as Data<'AccountabilityAssigned'>;
      await db
        .insertInto('reg_assignments')
        .values({
          tenant_id,
          system_id: d.systemId,
          assignment_id: d.assignmentId,
          role: d.role,
          assignee: d.assignee,
          effective_from: utc(d.effectiveFrom),
          assigned_by: d.assignedBy,
          assigned_event_id: event_id,
          accepted_at: null,
          accepted_event_id: null,
          effective_to: null,
          revoked_by: null,
          revoke_reason: null,
          revoked_event_id: null,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'AccountabilityAccepted': {
      const d = event.data as Data<'AccountabilityAccepted'>;
      await db
        .updateTable('reg_assignments')
        .set({ accepted_at: utc(d.acceptedAt), accepted_event_id: event_id })
        .where('tenant_id', '=', tenant_id)
        .where('system_id', '=', d.systemId)
        .where('assignment_id', '=', d.assignmentId)
        .execute();
      return;
    }
    case 'AccountabilityRevoked': {
      const d = event.data as Data<'AccountabilityRevoked'>;
      await db
        .updateTable('reg_assignments')
        .set({
          effective_to: utc(d.effectiveTo),
          revoked_by: d.revokedBy,
          revoke_reason: d.reason,
          revoked_event_id: event_id,
        })
        .where('tenant_id', '=', tenant_id)
        .where('system_id', '=', d.systemId)
        .where('assignment_id', '=', d.assignmentId)
        .execute();
      return;
    }
    case 'ModelVersionRegistered': {
      const d = event.data as Data<'ModelVersionRegistered'>;
      await db
        .insertInto('reg_versions')
        .values({
          tenant_id,
          system_id: d.systemId,
          version: d.version,
          artifact_sha256: d.artifactSha256,
          training_dataset_ids: json(d.trainingDatasetIds),
          code_revision: d.codeRevision,
          parent_version: d.parentVersion ?? null,
          change_summary: d.changeSummary,
          within_change_control_plan: d.withinChangeControlPlan ? 1 : 0,
          developer: d.developer,
          registered_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'ValidationResultRecorded': {
      const d = event.data as Data<'ValidationResultRecorded'>;
      await db
        .insertInto('reg_validations')
        .values({
          tenant_id,
          system_id: d.systemId,
          validation_id: d.validationId,
          version: d.version,
          dataset_id: d.datasetId,
          metrics: json(d.metrics),
          subgroup_results: json(d.subgroupResults),
          passed: d.passed ? 1 : 0,
          validator: d.validator,
          validated_at: utc(d.validatedAt),
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'DeploymentApproved': {
      const d = event.data as Data<'DeploymentApproved'>;
      await db
        .insertInto('reg_approvals')
        .values({
          tenant_id,
          system_id: d.systemId,
          version: d.version,
          discipline: d.discipline,
          reviewer: d.reviewer,
          approved_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'AccessPolicyRecorded': {
      const d = event.data as Data<'AccessPolicyRecorded'>;
      await db
        .insertInto('reg_access_policies')
        .values({
          tenant_id,
          system_id: d.systemId,
          document_ref: d.documentRef,
          permitted_roles: json(d.permittedRoles),
          permitted_purposes: json(d.permittedPurposes),
          recorded_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'AuditSourceRegistered': {
      const d = event.data as Data<'AuditSourceRegistered'>;
      await db
        .insertInto('reg_audit_sources')
        .values({
          tenant_id,
          system_id: d.systemId,
          source_service: d.sourceService,
          registered_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'ModelVersionDeployed': {
      const d = event.data as Data<'ModelVersionDeployed'>;
      await liveFrom(db, {
        tenant_id,
        system_id: d.systemId,
        position,
        from_at: utc(d.deployedAt),
        version: d.version,
        cause: event.type,
        event_id,
      });
      await updateSystem(db, tenant_id, d.systemId, position, { deployed_version: d.version });
      return;
    }
    case 'MonitoringPlanned': {
      const d = event.data as Data<'MonitoringPlanned'>;
      await db
        .insertInto('reg_monitoring_plans')
        .values({
          tenant_id,
          system_id: d.systemId,
          metric: d.metric,
          threshold: d.threshold,
          direction: d.direction,
          cadence: d.cadence,
          planned_at: at,
          event_id,
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'system_id', 'metric']).doUpdateSet({
            threshold: d.threshold,
            direction: d.direction,
            cadence: d.cadence,
            planned_at: at,
            event_id,
          }),
        )
        .execute();
      return;
    }
    case 'MonitoringSignalRecorded': {
      const d = event.data as Data<'MonitoringSignalRecorded'>;
      await db
        .insertInto('reg_signals')
        .values({
          event_id,
          tenant_id,
          system_id: d.systemId,
          position,
          kind: d.kind,
          metric: d.metric,
          value: d.value,
          subgroup: d.subgroup ?? null,
          observed_at: utc(d.observedAt),
          version: d.version ?? null,
          breached: 0,
          breach_event_id: null,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'MonitoringThresholdBreached': {
      // The breach follows its signal in the same append; it marks that signal.
      const d = event.data as Data<'MonitoringThresholdBreached'>;
      await db
        .updateTable('reg_signals')
        .set({ breached: 1, breach_event_id: event_id })
        .where('tenant_id', '=', tenant_id)
        .where('system_id', '=', d.systemId)
        .where('metric', '=', d.metric)
        .where('observed_at', '=', utc(d.observedAt))
        .where('breach_event_id', 'is', null)
        .execute();
      return;
    }
    case 'IncidentReported': {
      const d = event.data as Data<'IncidentReported'>;
      await db
        .insertInto('reg_incidents')
        .values({
          tenant_id,
          system_id: d.systemId,
          incident_id: d.incidentId,
          severity: d.severity,
          description: d.description,
          patient_harmed: d.patientHarmed ? 1 : 0,
          aware_at: utc(d.awareAt),
          version: d.version ?? null,
          status: 'open',
          reported_by: d.reportedBy,
          reported_at: at,
          closed_at: null,
          resolution: null,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'IncidentStatusUpdated': {
      const d = event.data as Data<'IncidentStatusUpdated'>;
      await incident(db, tenant_id, d.systemId, d.incidentId).set({ status: d.status }).execute();
      return;
    }
    case 'IncidentClosed': {
      const d = event.data as Data<'IncidentClosed'>;
      await incident(db, tenant_id, d.systemId, d.incidentId)
        .set({ status: 'closed', closed_at: at, resolution: d.resolution })
        .execute();
      return;
    }
    case 'TakedownDecided': {
      const d = event.data as Data<'TakedownDecided'>;
      await db
        .insertInto('reg_decisions')
        .values({
          tenant_id,
          system_id: d.systemId,
          decision_id: d.decisionId,
          action: d.action,
          from_version: d.fromVersion ?? null,
          to_version: d.toVersion ?? null,
          rationale: d.rationale,
          evidence: json(d.evidence),
          decided_by: d.decidedBy,
          decided_at: utc(d.decidedAt),
          emergency: d.emergency ? 1 : 0,
          ratification_due_by: d.ratificationDueBy ? utc(d.ratificationDueBy) : null,
          ratified_by: null,
          ratified_at: null,
          event_id,
          ratified_event_id: null,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const live = d.action === 'rollback' ? (d.toVersion ?? null) : null;
      await liveFrom(db, {
        tenant_id,
        system_id: d.systemId,
        position,
        from_at: utc(d.decidedAt),
        version: live,
        cause: `${event.type}:${d.action}`,
        event_id,
      });
      // A suspended system keeps its version (it returns on reinstatement); a rollback changes it; retirement ends it.
      if (d.action !== 'suspend')
        await updateSystem(db, tenant_id, d.systemId, position, { deployed_version: live });
      return;
    }
    case 'TakedownRatified': {
      const d = event.data as Data<'TakedownRatified'>;
      await db
        .updateTable('reg_decisions')
        .set({ ratified_by: d.ratifiedBy, ratified_at: utc(d.ratifiedAt), ratified_event_id: event_id })
        .where('tenant_id', '=', tenant_id)
        .where('system_id', '=', d.systemId)
        .where('decision_id', '=', d.decisionId)
        .execute();
      return;
    }
    case 'AiSystemReinstated': {
      const d = event.data as Data<'AiSystemReinstated'>;
      await db
        .insertInto('reg_decisions')
        .values({
          tenant_id,
          system_id: d.systemId,
          decision_id: d.decisionId,
          action: 'reinstate',
          from_version: null,
          to_version: d.version,
          rationale: d.rationale,
          evidence: json(d.evidence),
          decided_by: d.decidedBy,
          decided_at: utc(d.decidedAt),
          emergency: 0,
          ratification_due_by: null,
          ratified_by: null,
          ratified_at: null,
          event_id,
          ratified_event_id: null,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      await liveFrom(db, {
        tenant_id,
        system_id: d.systemId,
        position,
        from_at: utc(d.decidedAt),
        version: d.version,
        cause: event.type,
        event_id,
      });
      await updateSystem(db, tenant_id, d.systemId, position, { deployed_version: d.version });
      return;
    }
    case 'AuditRecorded': {
      const d = event.data as Data<'AuditRecorded'>;
      await db
        .insertInto('reg_audits')
        .values({
          tenant_id,
          system_id: d.systemId,
          audit_id: d.auditId,
          scope: d.scope,
          findings: json(d.findings),
          auditor: d.auditor,
          recorded_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'DatasetRegistered': {
      const d = event.data as DatasetEventOf<'DatasetRegistered'>['data'];
      await db
        .insertInto('reg_datasets')
        .values({
          tenant_id,
          dataset_id: d.datasetId,
          name: d.name,
          classification: d.classification,
          legal_basis: d.legalBasis,
          steward: d.steward,
          source: d.source,
          retention_period: d.retentionPeriod,
          registered_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'DatasetApproved': {
      const d = event.data as DatasetEventOf<'DatasetApproved'>['data'];
      await db
        .insertInto('reg_dataset_approvals')
        .values({
          tenant_id,
          dataset_id: d.datasetId,
          purpose: d.purpose,
          approved_by: d.approvedBy,
          approved_at: at,
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    default:
      // Data access and access grants have projections of their own.
      return;
  }
}

function liveFrom(db: Db, row: RegistryTables['reg_live_versions']) {
  return db
    .insertInto('reg_live_versions')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Updates a system row unless this event (or a later one) was already applied to it. */
function updateSystem(
  db: Db,
  tenant: string,
  systemId: string,
  position: string,
  set: Partial<RegistryTables['reg_systems']>,
) {
  return db
    .updateTable('reg_systems')
    .set({ ...set, last_position: position })
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where((eb) => eb(eb.cast('last_position', 'bigint'), '<', eb.cast(eb.val(position), 'bigint')))
    .execute();
}

function incident(db: Db, tenant: string, systemId: string, incidentId: string) {
  return db
    .updateTable('reg_incidents')
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('incident_id', '=', incidentId);
}
