import { DomainError } from '../shared/domain-error';
import type { MetricInput, RecordValidationResult, RegisterModelVersion } from './commands';
import type { AiSystemEvent } from './events';
import { statusChange } from './lifecycle';
import type { AiSystemRecord, ModelVersion } from './state';
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
      developer: cmd.developer ?? cmd.meta.actor,
    },
  };
  // The first version gives the system something to validate.
  return system.status === 'proposed'
    ? [registered, statusChange(system, 'in_validation', registered.type, cmd.meta.at)]
    : [registered];
}

export function recordValidationResult(cmd: RecordValidationResult, system: AiSystemRecord): AiSystemEvent[] {
  const version = findVersion(system, cmd.version, 'version');
  if (cmd.meta.actor === version.developer)
    throw new DomainError(
      'VALIDATOR_IS_DEVELOPER',
      `${cmd.meta.actor} developed version ${version.version} and so cannot validate it; an independent validator must record the result`,
    );
  if (system.validations.some((v) => v.validationId === cmd.validationId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `validation ${cmd.validationId} is already recorded; use a new validationId`,
      'validationId',
    );

  const metrics = cmd.metrics.map(judged);
  const subgroupResults = cmd.subgroupResults.map(({ subgroup, metrics: subgroupMetrics }) => {
    const judgedMetrics = subgroupMetrics.map(judged);
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
        datasetId: cmd.datasetId,
        metrics,
        subgroupResults,
        passed,
        validator: cmd.meta.actor,
        validatedAt: cmd.meta.at,
      },
    },
  ];
}

/** Pass or fail comes from the threshold, never from the caller. */
function judged({ name, value, threshold, direction }: MetricInput) {
  return { name, value, threshold, direction, passed: meetsThreshold(value, threshold, direction) };
}

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
