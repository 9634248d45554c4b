import type { CommandMeta } from '../shared/command-meta';
import { DomainError } from '../shared/domain-error';
import { personId } from '../shared/person-id';
import { activeAssignments } from './accountability';
import type {
  MeasuredMetric,
  PlannedMetric,
  PlanValidation,
  RecordValidationResult,
  RegisterModelVersion,
} from './commands';
import type { AiSystemEvent } from './events';
import { statusChange } from './lifecycle';
import type { GovernancePolicy } from './policy';
import { ROLES_AUTHORS_MAY_NOT_HOLD, separationRefused } from './separation-of-duties';
import type { AiSystemRecord, ModelVersion, ValidationPlan, ValidationRecord } from './state';
import { meetsThreshold } from './vocabulary';

export function registerModelVersion(cmd: RegisterModelVersion, system: AiSystemRecord): AiSystemEvent[] {
  if (system.versions.some((v) => v.version === cmd.version))
    throw new DomainError(
      'ALREADY_EXISTS',
      `version ${cmd.version} of ${system.systemId} is already registered; give the new build its own version label`,
      'version',
    );
  const sameArtifact = system.versions.find((v) => v.artifactSha256 === cmd.artifactSha256);
  // One artifact under two labels would let a validation of one vouch for the other.
  if (sameArtifact)
    throw new DomainError(
      'ALREADY_EXISTS',
      `this artifact is already registered as version ${sameArtifact.version}; refer to that version`,
      'artifactSha256',
    );
  if (cmd.parentVersion !== undefined) findVersion(system, cmd.parentVersion, 'parentVersion');
  const developer = cmd.developer ?? cmd.meta.actor;
  assertAuthorsHoldNoCheckingRole(system, [developer, cmd.meta.actor], cmd.meta);

  const {
    systemId,
    version,
    artifactSha256,
    trainingDatasetIds,
    codeRevision,
    parentVersion,
    changeSummary,
    withinChangeControlPlan,
  } = cmd;
  const registered: AiSystemEvent = {
    type: 'ModelVersionRegistered',
    data: {
      systemId,
      version,
      artifactSha256,
      trainingDatasetIds,
      codeRevision,
      parentVersion,
      changeSummary,
      withinChangeControlPlan,
      developer,
      registeredBy: cmd.meta.actor,
    },
  };
  // The first version gives the system something to validate.
  return system.status === 'proposed'
    ? [registered, statusChange(system, 'in_validation', registered.type, cmd.meta.at)]
    : [registered];
}

/** A new version is a candidate, so its authors may not hold, or be about to hold, a role that checks versions. */
function assertAuthorsHoldNoCheckingRole(system: AiSystemRecord, authors: string[], meta: CommandMeta): void {
  const held = activeAssignments(system, meta.at).find(
    (a) => authors.includes(a.assignee) && ROLES_AUTHORS_MAY_NOT_HOLD.includes(a.role),
  );
  if (held)
    throw separationRefused(
      'AUTHOR_HOLDS_CONFLICTING_ROLE',
      `${held.assignee} would author this version while assigned ${held.role} on ${system.systemId} (assignment ${held.assignmentId})`,
      `revoke that assignment first (with a successor in place if the system is live), or have someone else develop and register the version`,
    );
}

/**
 * Fixes what a validation must reach before any result is seen, on a dataset
 * the model never trained on. A later plan replaces it until the first
 * result; from then on it is what every result of the version is judged by.
 */
export function planValidation(
  cmd: PlanValidation,
  system: AiSystemRecord,
  policy: GovernancePolicy,
): AiSystemEvent[] {
  const version = findVersion(system, cmd.version, 'version');
  assertNotAuthor(version, cmd.meta.actor, 'plan the validation of');
  const result = system.validations.find((v) => v.version === version.version);
  if (result)
    throw new DomainError(
      'VALIDATION_PLAN_LOCKED',
      `the validation plan of version ${version.version} cannot change: result ${result.validationId} has been judged against it; ` +
        'a plan is fixed from its first result, so validate against it or register a new version',
      'version',
    );
  if (version.trainingDatasetIds.includes(cmd.datasetId))
    throw new DomainError(
      'VALIDATION_DATASET_IS_TRAINING_DATA',
      `dataset ${cmd.datasetId} is training data of version ${version.version} (trained on ${version.trainingDatasetIds.join(', ')}); ` +
        'a validation dataset shares nothing with the training data: plan on a dataset the version never saw',
      'datasetId',
    );
  const snapshot = cmd.dataset.datasetId === cmd.datasetId ? cmd.dataset : undefined;
  if (!snapshot?.registered || !snapshot.approvedPurposes.includes(policy.validationPurpose))
    throw new DomainError(
      'VALIDATION_DATASET_NOT_APPROVED',
      `dataset ${cmd.datasetId} is ${snapshot?.registered ? `not approved for '${policy.validationPurpose}'` : 'not registered'}; ` +
        `a validation dataset must be registered and approved for '${policy.validationPurpose}' before a plan names it`,
      'datasetId',
    );
  const independentApproval = snapshot.approvals.some(
    (a) => a.purpose === policy.validationPurpose && !version.authors.includes(personId(a.approvedBy)),
  );
  if (!independentApproval)
    throw separationRefused(
      'VALIDATION_DATASET_APPROVED_BY_AUTHOR',
      `dataset ${cmd.datasetId} was approved for '${policy.validationPurpose}' only by authors of version ${version.version} (authors: ${version.authors.join(', ')})`,
      `someone who is not an author must approve it for '${policy.validationPurpose}' before a plan names it`,
    );
  assertDistinct(cmd.metrics, (m) => m.name, 'metrics');
  assertDistinct(cmd.subgroups, (s) => s.subgroup, 'subgroups');
  cmd.subgroups.forEach((s, i) => assertDistinct(s.metrics, (m) => m.name, `subgroups.${i}.metrics`));

  const planned = (metrics: PlannedMetric[]) =>
    metrics.map(({ name, threshold, direction }) => ({ name, threshold, direction }));
  return [
    {
      type: 'ValidationPlanned',
      data: {
        systemId: system.systemId,
        version: version.version,
        datasetId: cmd.datasetId,
        metrics: planned(cmd.metrics),
        subgroups: cmd.subgroups.map(({ subgroup, metrics }) => ({ subgroup, metrics: planned(metrics) })),
        plannedBy: cmd.meta.actor,
      },
    },
  ];
}

/** Judges measured values against the version's plan: its thresholds, directions, subgroups and dataset. */
export function recordValidationResult(cmd: RecordValidationResult, system: AiSystemRecord): AiSystemEvent[] {
  const version = findVersion(system, cmd.version, 'version');
  assertNotAuthor(version, cmd.meta.actor, 'validate');
  if (system.validations.some((v) => v.validationId === cmd.validationId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `validation ${cmd.validationId} is already recorded; use a new validationId`,
      'validationId',
    );
  const plan = system.validationPlans.find((p) => p.version === version.version);
  if (!plan)
    throw new DomainError(
      'VALIDATION_NOT_PLANNED',
      `version ${version.version} has no validation plan; results are judged against a plan recorded before them: ` +
        'plan its metrics, thresholds, directions, subgroups and validation dataset first',
      'version',
    );

  const metrics = judged(plan.metrics, cmd.metrics, 'metrics');
  assertSameSet(
    plan.subgroups.map((s) => s.subgroup),
    cmd.subgroupResults.map((s) => s.subgroup),
    'subgroup',
    'subgroupResults',
  );
  const subgroupResults = cmd.subgroupResults.map(({ subgroup, metrics: measured }, i) => {
    const planned = plannedSubgroup(plan, subgroup);
    const judgedMetrics = judged(planned, measured, `subgroupResults.${i}.metrics`);
    return { subgroup, metrics: judgedMetrics, passed: judgedMetrics.every((m) => m.passed) };
  });
  const passed = metrics.every((m) => m.passed) && subgroupResults.every((s) => s.passed);
  return [
    {
      type: 'ValidationResultRecorded',
      data: {
        systemId: system.systemId,
        validationId: cmd.validationId,
        version: cmd.version,
        datasetId: plan.datasetId,
        metrics,
        subgroupResults,
        passed,
        validator: cmd.meta.actor,
        validatedAt: cmd.meta.at,
      },
    },
  ];
}

const plannedSubgroup = (plan: ValidationPlan, subgroup: string) =>
  plan.subgroups.find((s) => s.subgroup === subgroup)?.metrics ?? [];

/** Each planned metric measured once and nothing else; pass or fail comes from the plan, never from the caller. */
function judged(planned: PlannedMetric[], measured: MeasuredMetric[], field: string) {
  assertSameSet(
    planned.map((m) => m.name),
    measured.map((m) => m.name),
    'metric',
    field,
  );
  return measured.map(({ name, value }) => {
    const { threshold, direction } = planned.find((p) => p.name === name) as PlannedMetric;
    return { name, value, threshold, direction, passed: meetsThreshold(value, threshold, direction) };
  });
}

function assertSameSet(planned: string[], reported: string[], what: string, field: string): void {
  const repeated = reported.filter((name, i) => reported.indexOf(name) !== i);
  const missing = planned.filter((name) => !reported.includes(name));
  const unplanned = reported.filter((name) => !planned.includes(name));
  if (repeated.length + missing.length + unplanned.length === 0) return;
  const problems = [
    ...(missing.length > 0 ? [`planned but not reported: ${missing.join(', ')}`] : []),
    ...(unplanned.length > 0 ? [`not in the plan: ${unplanned.join(', ')}`] : []),
    ...(repeated.length > 0 ? [`reported twice: ${repeated.join(', ')}`] : []),
  ];
  throw new DomainError(
    'VALIDATION_PLAN_MISMATCH',
    `${field} must report each planned ${what} once (planned: ${planned.join(', ') || 'none'}); ${problems.join('; ')}`,
    field,
  );
}

function assertDistinct<T>(items: T[], key: (item: T) => string, field: string): void {
  const keys = items.map(key);
  const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (repeated.length > 0)
    throw new DomainError(
      'VALIDATION_FAILED',
      `${field} names ${repeated.join(', ')} more than once; plan each once`,
      field,
    );
}

function assertNotAuthor(version: ModelVersion, actor: string, toDoWhat: string): void {
  if (version.authors.includes(actor))
    throw separationRefused(
      'VALIDATOR_IS_DEVELOPER',
      `${actor} is an author of version ${version.version} (authors: ${version.authors.join(', ')}) and may not ${toDoWhat} it`,
      'an independent validator must',
    );
}

/** The validation of a version that counts: the last one recorded. */
export const latestValidation = (system: AiSystemRecord, version: string): ValidationRecord | undefined =>
  system.validations.findLast((v) => v.version === version);

export function findVersion(system: AiSystemRecord, version: string, field: string): ModelVersion {
  const found = system.versions.find((v) => v.version === version);
  if (!found)
    throw new DomainError(
      'NOT_FOUND',
      `${system.systemId} has no version ${version}; registered versions: ${system.versions.map((v) => v.version).join(', ') || 'none'}`,
      field,
    );
  return found;
}
