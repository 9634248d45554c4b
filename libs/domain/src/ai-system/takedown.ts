import type { CommandMeta } from '../shared/command-meta';
import { DomainError } from '../shared/domain-error';
import { MS_PER_DAY, MS_PER_HOUR, instantAfter, millis } from '../shared/time';
import { holdersAt } from './accountability';
import type { DecideTakedown, RatifyTakedown, ReinstateAiSystem } from './commands';
import type { AiSystemEvent, AiSystemEventOf } from './events';
import { isLive, statusChange } from './lifecycle';
import { findVersion, latestValidation } from './model-versions';
import type { GovernancePolicy } from './policy';
import { authorsOf, separationRefused } from './separation-of-duties';
import type { AiSystemRecord } from './state';

export function decideTakedown(
  cmd: DecideTakedown,
  system: AiSystemRecord,
  policy: GovernancePolicy,
): AiSystemEvent[] {
  const emergency = decidesUnderEmergency(cmd, system);
  assertNewDecision(system, cmd.decisionId);
  const { meta, decisionId, action, rationale, evidence } = cmd;
  const decided: AiSystemEventOf<'TakedownDecided'> = {
    type: 'TakedownDecided',
    data: {
      systemId: system.systemId,
      decisionId,
      action,
      fromVersion: system.deployedVersion,
      toVersion: action === 'rollback' ? rollbackTarget(cmd, system) : undefined,
      rationale,
      evidence,
      decidedBy: meta.actor,
      decidedAt: meta.at,
      emergency,
      ratificationDueBy: emergency
        ? instantAfter(meta.at, policy.emergencyRatificationHours * MS_PER_HOUR)
        : undefined,
    },
  };
  switch (action) {
    case 'suspend':
      return [decided, statusChange(system, 'suspended', decided.type, meta.at)];
    case 'retire':
      return [decided, statusChange(system, 'retired', decided.type, meta.at)];
    case 'rollback':
      // Rolling back from a suspension puts the earlier version in front of patients again.
      return system.status === 'suspended'
        ? [decided, statusChange(system, 'deployed', decided.type, meta.at)]
        : [decided];
  }
}

/**
 * The takedown authority decides. A security officer may act first in an
 * emergency, but only reversibly (suspend or roll back), and the authority
 * must ratify within the policy's period.
 */
function decidesUnderEmergency(cmd: DecideTakedown, system: AiSystemRecord): boolean {
  const { actor, at } = cmd.meta;
  const authorities = holdersAt(system, 'TAKEDOWN_AUTHORITY', at);
  if (authorities.includes(actor)) return false;
  const securityOfficer = holdersAt(system, 'SECURITY_OFFICER', at).includes(actor);
  const refuse = (why: string) =>
    new DomainError(
      'NOT_TAKEDOWN_AUTHORITY',
      `${why}; current TAKEDOWN_AUTHORITY: ${authorities.join(', ') || 'none'}`,
    );
  if (!securityOfficer)
    throw refuse(`${actor} holds neither TAKEDOWN_AUTHORITY nor SECURITY_OFFICER on ${system.systemId}`);
  if (!cmd.emergency)
    throw refuse(
      `${actor} is SECURITY_OFFICER, not TAKEDOWN_AUTHORITY: decide with emergency set, or ask the authority`,
    );
  if (cmd.action === 'retire')
    throw refuse(
      'an emergency decision may suspend or roll back; retiring is irreversible and needs the takedown authority',
    );
  return true;
}

/**
 * A rollback returns to a version registered before the live one whose latest
 * validation passed: back to something known to be safe, chosen by someone
 * who did not build it.
 */
function rollbackTarget(cmd: DecideTakedown, system: AiSystemRecord): string {
  const live = system.deployedVersion;
  if (!isLive(system) || live === undefined)
    throw new DomainError(
      'INVALID_TRANSITION',
      `${system.systemId} is ${system.status}; only a deployed or suspended system can be rolled back`,
      'action',
    );
  if (cmd.toVersion === undefined)
    throw new DomainError(
      'VALIDATION_FAILED',
      'a rollback must name toVersion, the earlier validated version to return to',
      'toVersion',
    );
  findVersion(system, cmd.toVersion, 'toVersion');
  const earlier = system.versions.slice(
    0,
    system.versions.findIndex((v) => v.version === live),
  );
  const candidates = earlier
    .filter((v) => latestValidation(system, v.version)?.passed === true)
    .map((v) => v.version);
  if (!candidates.includes(cmd.toVersion))
    throw new DomainError(
      'INVALID_ROLLBACK_TARGET',
      `version ${cmd.toVersion} is not a version registered before the live ${live} whose latest validation passed; candidates: ${candidates.join(', ') || 'none'}`,
      'toVersion',
    );
  if (authorsOf(system, cmd.toVersion).includes(cmd.meta.actor))
    throw separationRefused(
      'DECIDER_IS_AUTHOR',
      `${cmd.meta.actor} is an author of version ${cmd.toVersion}`,
      'another holder of the takedown authority (or, in an emergency, the security officer) must decide the rollback',
    );
  return cmd.toVersion;
}

export function ratifyTakedown(cmd: RatifyTakedown, system: AiSystemRecord): AiSystemEvent[] {
  assertTakedownAuthority(cmd.meta, system, 'ratify an emergency decision');
  const decision = system.decisions.find((d) => d.decisionId === cmd.decisionId);
  if (!decision)
    throw new DomainError(
      'NOT_FOUND',
      `no takedown decision ${cmd.decisionId} on ${system.systemId}`,
      'decisionId',
    );
  if (!decision.emergency)
    throw new DomainError(
      'INVALID_TRANSITION',
      `decision ${cmd.decisionId} was made by the takedown authority; only emergency decisions need ratification`,
      'decisionId',
    );
  if (decision.ratified)
    throw new DomainError(
      'INVALID_TRANSITION',
      `decision ${cmd.decisionId} is already ratified`,
      'decisionId',
    );
  if (decision.decidedBy === cmd.meta.actor)
    throw separationRefused(
      'RATIFIER_IS_DECIDER',
      `${cmd.meta.actor} decided ${cmd.decisionId}`,
      'another holder of TAKEDOWN_AUTHORITY must ratify it',
    );
  const authored = decision.versions.filter((v) => authorsOf(system, v).includes(cmd.meta.actor));
  if (authored.length > 0)
    throw separationRefused(
      'RATIFIER_IS_AUTHOR',
      `${cmd.meta.actor} is an author of version ${authored.join(' and ')}, which ${cmd.decisionId} concerns`,
      'another holder of TAKEDOWN_AUTHORITY must ratify it',
    );
  return [
    {
      type: 'TakedownRatified',
      data: {
        systemId: system.systemId,
        decisionId: cmd.decisionId,
        ratifiedBy: cmd.meta.actor,
        ratifiedAt: cmd.meta.at,
      },
    },
  ];
}

/** Back to patients only on the authority's word and a passing validation, against the plan, done since the suspension and not followed by a failure. */
export function reinstateAiSystem(
  cmd: ReinstateAiSystem,
  system: AiSystemRecord,
  policy: GovernancePolicy,
): AiSystemEvent[] {
  assertTakedownAuthority(cmd.meta, system, 'reinstate a suspended system');
  assertNewDecision(system, cmd.decisionId);
  if (
    system.status !== 'suspended' ||
    system.deployedVersion === undefined ||
    system.suspendedAt === undefined
  )
    throw new DomainError(
      'INVALID_TRANSITION',
      `${system.systemId} is ${system.status}; only a suspended system can be reinstated`,
    );
  const version = system.deployedVersion;
  const since = Math.max(
    millis(system.suspendedAt),
    millis(cmd.meta.at) - policy.validationValidityDays * MS_PER_DAY,
  );
  const validation = latestValidation(system, version);
  if (!validation?.passed || !validation.againstPlan || !(millis(validation.validatedAt) > since)) {
    const message = `record a passing validation of version ${version} against its plan, made after the suspension at ${system.suspendedAt} and within the last ${policy.validationValidityDays} days; the latest validation decides`;
    throw new DomainError('GATE_NOT_MET', message, undefined, {
      unmetGates: [{ gate: 'VALIDATION', message }],
    });
  }

  const { decisionId, rationale, evidence, meta } = cmd;
  const reinstated: AiSystemEvent = {
    type: 'AiSystemReinstated',
    data: {
      systemId: system.systemId,
      decisionId,
      version,
      validationId: validation.validationId,
      rationale,
      evidence,
      decidedBy: meta.actor,
      decidedAt: meta.at,
    },
  };
  return [reinstated, statusChange(system, 'deployed', reinstated.type, meta.at)];
}

function assertTakedownAuthority(meta: CommandMeta, system: AiSystemRecord, toDoWhat: string): void {
  const authorities = holdersAt(system, 'TAKEDOWN_AUTHORITY', meta.at);
  if (!authorities.includes(meta.actor))
    throw new DomainError(
      'NOT_TAKEDOWN_AUTHORITY',
      `only the TAKEDOWN_AUTHORITY of ${system.systemId} may ${toDoWhat}; ${meta.actor} does not hold it (holders: ${authorities.join(', ') || 'none'})`,
    );
}

function assertNewDecision(system: AiSystemRecord, decisionId: string): void {
  if (system.decisions.some((d) => d.decisionId === decisionId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `decision ${decisionId} is already recorded; use a new decisionId`,
      'decisionId',
    );
}
