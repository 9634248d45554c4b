import { DomainError, type UnmetGate } from '../shared/domain-error';
import { MS_PER_DAY, millis } from '../shared/time';
import { holdersAt } from './accountability';
import type {
  ApproveDeployment,
  DatasetSnapshot,
  DeployModelVersion,
  RecordAccessPolicy,
  RegisterAuditSource,
} from './commands';
import type { AiSystemEvent } from './events';
import { statusChange } from './lifecycle';
import { findVersion, latestValidation } from './model-versions';
import type { GovernancePolicy } from './policy';
import { authorsOf, separationRefused } from './separation-of-duties';
import { isOpenFinding, type AiSystemRecord, type AiSystemState, type ModelVersion } from './state';
import { REVIEW_DISCIPLINES } from './vocabulary';

export function approveDeployment(cmd: ApproveDeployment, system: AiSystemRecord): AiSystemEvent[] {
  const version = findVersion(system, cmd.version, 'version');
  const reviewer = cmd.meta.actor;
  const authored = [version.version, system.deployedVersion].filter((v) =>
    authorsOf(system, v).includes(reviewer),
  );
  if (authored.length > 0)
    throw separationRefused(
      'REVIEWER_IS_DEVELOPER',
      `${reviewer} is an author of version ${authored.join(' and ')}`,
      `ask another ${cmd.discipline} reviewer to approve version ${version.version}`,
    );
  const approvals = system.approvals.filter((a) => a.version === version.version);
  const sameDiscipline = approvals.find((a) => a.discipline === cmd.discipline);
  if (sameDiscipline)
    throw new DomainError(
      'ALREADY_EXISTS',
      `${cmd.discipline} already approved version ${version.version} (by ${sameDiscipline.reviewer})`,
      'discipline',
    );
  const sameReviewer = approvals.find((a) => a.reviewer === reviewer);
  if (sameReviewer)
    throw separationRefused(
      'REVIEWER_ALREADY_APPROVED',
      `${reviewer} already approved version ${version.version} for ${sameReviewer.discipline}`,
      `each discipline needs a different reviewer; ask another ${cmd.discipline} reviewer`,
    );

  const approved: AiSystemEvent = {
    type: 'DeploymentApproved',
    data: { systemId: system.systemId, version: version.version, discipline: cmd.discipline, reviewer },
  };
  const complete = approvals.length + 1 === REVIEW_DISCIPLINES.length;
  return complete && system.status === 'in_validation'
    ? [approved, statusChange(system, 'approved', approved.type, cmd.meta.at)]
    : [approved];
}

export function recordAccessPolicy(cmd: RecordAccessPolicy, system: AiSystemRecord): AiSystemEvent[] {
  const { documentRef, permittedRoles, permittedPurposes, reviewEveryDays } = cmd;
  return [
    {
      type: 'AccessPolicyRecorded',
      data: {
        systemId: system.systemId,
        documentRef,
        permittedRoles,
        permittedPurposes,
        recordedBy: cmd.meta.actor,
        ...(reviewEveryDays === undefined ? {} : { reviewEveryDays }),
      },
    },
  ];
}

export function registerAuditSource(cmd: RegisterAuditSource, system: AiSystemRecord): AiSystemEvent[] {
  if (system.auditSources.includes(cmd.sourceService))
    throw new DomainError(
      'ALREADY_EXISTS',
      `${cmd.sourceService} is already registered as an audit source of ${system.systemId}`,
      'sourceService',
    );
  const { sourceService, expectedInterval } = cmd;
  return [
    { type: 'AuditSourceRegistered', data: { systemId: system.systemId, sourceService, expectedInterval } },
  ];
}

export function deployModelVersion(
  cmd: DeployModelVersion,
  system: AiSystemRecord,
  policy: GovernancePolicy,
): AiSystemEvent[] {
  if (system.status === 'suspended')
    throw new DomainError(
      'INVALID_TRANSITION',
      `${system.systemId} is suspended; reinstate it or roll back to a validated version through a takedown decision`,
    );
  const version = findVersion(system, cmd.version, 'version');
  if (system.status === 'deployed' && system.deployedVersion === version.version)
    throw new DomainError('INVALID_TRANSITION', `version ${version.version} is already deployed`, 'version');
  const unmet = unmetDeploymentGates(system, version, cmd.datasets, cmd.meta.at, policy);
  if (unmet.length > 0)
    throw new DomainError(
      'GATE_NOT_MET',
      `version ${version.version} cannot deploy until every gate is met: ${unmet.map((g) => g.message).join('; ')}`,
      undefined,
      { unmetGates: unmet },
    );

  const deployed: AiSystemEvent = {
    type: 'ModelVersionDeployed',
    data: {
      systemId: system.systemId,
      version: version.version,
      previousVersion: system.deployedVersion,
      deployedBy: cmd.meta.actor,
      deployedAt: cmd.meta.at,
    },
  };
  return system.status === 'deployed'
    ? [deployed]
    : [deployed, statusChange(system, 'deployed', deployed.type, cmd.meta.at)];
}

/**
 * The training datasets whose own streams must be read before deciding to
 * deploy `version`: datasets are aggregates of their own, so the command
 * carries their snapshots. None when the system or the version is unknown;
 * the decider then refuses with NOT_FOUND.
 */
export function trainingDatasetsToCheck(state: AiSystemState, version: string): string[] {
  if (state.status === 'unregistered') return [];
  return state.versions.find((v) => v.version === version)?.trainingDatasetIds ?? [];
}

export type DeploymentGate =
  | 'REQUIRED_ROLES'
  | 'TRAINING_DATASETS'
  | 'VALIDATION'
  | 'ACCESS_POLICY'
  | 'AUDIT_SOURCE'
  | 'REVIEWER_APPROVALS'
  | 'MONITORING_PLAN'
  | 'OPEN_CRITICAL_AUDIT_FINDING';

export interface UnmetDeploymentGate extends UnmetGate {
  gate: DeploymentGate;
}

/**
 * Every gate between a version and patients, each reported with what would
 * meet it. Exported so a UI can show readiness before anyone tries to deploy.
 */
export function unmetDeploymentGates(
  system: AiSystemRecord,
  version: ModelVersion,
  datasets: readonly DatasetSnapshot[],
  at: string,
  policy: GovernancePolicy,
): UnmetDeploymentGate[] {
  const checks: Array<[DeploymentGate, string | undefined]> = [
    ['REQUIRED_ROLES', rolesGap(system, at, policy)],
    ['TRAINING_DATASETS', datasetsGap(version, datasets, policy)],
    ['VALIDATION', validationGap(system, version, at, policy)],
    [
      'ACCESS_POLICY',
      system.accessPolicyRecorded ? undefined : `record an access policy for ${system.systemId}`,
    ],
    [
      'AUDIT_SOURCE',
      system.auditSources.length > 0
        ? undefined
        : `register the service that emits ${system.systemId}'s data-access events as an audit source`,
    ],
    ['REVIEWER_APPROVALS', approvalsGap(system, version)],
    [
      'MONITORING_PLAN',
      system.monitoringPlans.length > 0
        ? undefined
        : `plan the monitoring of ${system.systemId}: at least one metric with its threshold, direction and cadence`,
    ],
    ['OPEN_CRITICAL_AUDIT_FINDING', criticalFindingsGap(system)],
  ];
  return checks.flatMap(([gate, message]) => (message === undefined ? [] : [{ gate, message }]));
}

function rolesGap(system: AiSystemRecord, at: string, policy: GovernancePolicy): string | undefined {
  const vacant = policy.requiredRoles.filter((role) => holdersAt(system, role, at).length === 0);
  if (vacant.length === 0) return undefined;
  const describe = (role: string) => {
    const pending = system.assignments.filter(
      (a) => a.role === role && a.effectiveTo === undefined && a.acceptedAt === undefined,
    );
    return pending.length > 0
      ? `${role} (assigned to ${pending.map((a) => a.assignee).join(', ')}, awaiting acceptance)`
      : role;
  };
  return `assign these roles and have the assignees accept: ${vacant.map(describe).join(', ')}`;
}

function datasetsGap(
  version: ModelVersion,
  datasets: readonly DatasetSnapshot[],
  policy: GovernancePolicy,
): string | undefined {
  const problems = version.trainingDatasetIds.flatMap((id) => {
    const snapshot = datasets.find((d) => d.datasetId === id);
    if (!snapshot?.registered) return [`register dataset ${id}`];
    if (!snapshot.approvedPurposes.includes(policy.trainingPurpose))
      return [`approve dataset ${id} for '${policy.trainingPurpose}'`];
    return [];
  });
  return problems.length > 0
    ? `training data of version ${version.version}: ${problems.join(', ')}`
    : undefined;
}

/** The latest validation of the version decides: a failure recorded after a pass keeps it from patients. */
function validationGap(
  system: AiSystemRecord,
  version: ModelVersion,
  at: string,
  policy: GovernancePolicy,
): string | undefined {
  const latest = latestValidation(system, version.version);
  const needed = `record a passing validation of version ${version.version} against its validation plan`;
  if (!latest) return `${needed} (plan it first if it has no plan)`;
  if (!latest.againstPlan)
    return `${needed}: the latest, ${latest.validationId}, was judged against thresholds typed in with it, before validation plans existed`;
  if (!latest.passed) return `${needed}: the latest, ${latest.validationId}, failed`;
  if (millis(latest.validatedAt) < millis(at) - policy.validationValidityDays * MS_PER_DAY)
    return `${needed}: the latest, ${latest.validationId}, is older than ${policy.validationValidityDays} days`;
  return undefined;
}

function criticalFindingsGap(system: AiSystemRecord): string | undefined {
  const open = system.auditFindings.filter((f) => f.severity === 'critical' && isOpenFinding(f));
  if (open.length === 0) return undefined;
  const each = open.map(
    (f) =>
      `${f.findingId} of audit ${f.auditId} (owner ${f.owner}, ${f.resolvedBy ? 'resolved, awaiting verification' : 'unresolved'})`,
  );
  return `close the open critical audit findings: ${each.join(', ')}; each is resolved by its owner and verified by someone else`;
}

function approvalsGap(system: AiSystemRecord, version: ModelVersion): string | undefined {
  const approved = new Set(
    system.approvals.filter((a) => a.version === version.version).map((a) => a.discipline),
  );
  const missing = REVIEW_DISCIPLINES.filter((d) => !approved.has(d));
  return missing.length > 0
    ? `obtain approval of version ${version.version} from a ${missing.join(', ')} reviewer (each a different person, none an author of this or the live version)`
    : undefined;
}
