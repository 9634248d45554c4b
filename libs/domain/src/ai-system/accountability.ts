import { DomainError } from '../shared/domain-error';
import { millis, parseInstant } from '../shared/time';
import type { AcceptAccountability, AssignAccountability, RevokeAccountability } from './commands';
import type { AiSystemEvent } from './events';
import { isLive } from './lifecycle';
import type { GovernancePolicy } from './policy';
import {
  INCOMPATIBLE_ROLES,
  ROLES_AUTHORS_MAY_NOT_HOLD,
  separationRefused,
  versionAuthors,
} from './separation-of-duties';
import type { AiSystemRecord, AiSystemState, Assignment } from './state';
import type { AccountabilityRole } from './vocabulary';

/**
 * How far a requested effective time may lie before the moment a change is
 * recorded and still be read as that moment: the caller's clock may run a
 * little behind the ledger's. Anything earlier is refused, so no assignment
 * or revocation ever rewrites who was accountable in the past.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

/** When a change requested for `requested` takes effect, recorded at `at`: never before `at`. */
function effectiveInstant(requested: string, at: string, field: string): string {
  const requestedMs = parseInstant(requested, field);
  const recordedMs = millis(at);
  if (requestedMs >= recordedMs) return requested;
  if (requestedMs >= recordedMs - CLOCK_SKEW_ALLOWANCE_MS) return at;
  throw new DomainError(
    'EFFECTIVE_BEFORE_RECORDED',
    `${field} ${requested} is before this change is recorded (${at}); no assignment or revocation takes effect before it is recorded ` +
      `(a clock running up to ${CLOCK_SKEW_ALLOWANCE_MS / 60_000} minutes behind is allowed for); give ${at} or later`,
    field,
  );
}

/**
 * Who held a role at an instant: accepted by then, effective by then, and not
 * yet revoked. An assignee who has not accepted is not accountable.
 */
export function holdersAt(state: AiSystemState, role: AccountabilityRole, at: string): string[] {
  if (state.status === 'unregistered') return [];
  const t = millis(at);
  const holders = state.assignments.filter((a) => a.role === role && heldAt(a, t)).map((a) => a.assignee);
  return [...new Set(holders)];
}

function heldAt(a: Assignment, t: number): boolean {
  return (
    a.acceptedAt !== undefined &&
    millis(a.acceptedAt) <= t &&
    millis(a.effectiveFrom) <= t &&
    (a.effectiveTo === undefined || t < millis(a.effectiveTo))
  );
}

export function assignAccountability(cmd: AssignAccountability, system: AiSystemRecord): AiSystemEvent[] {
  const effectiveFrom = effectiveInstant(cmd.effectiveFrom, cmd.meta.at, 'effectiveFrom');
  if (system.assignments.some((a) => a.assignmentId === cmd.assignmentId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `assignment ${cmd.assignmentId} already exists; use a new assignmentId`,
      'assignmentId',
    );
  if (
    system.assignments.some(
      (a) => a.role === cmd.role && a.assignee === cmd.assignee && a.effectiveTo === undefined,
    )
  )
    throw new DomainError(
      'ALREADY_EXISTS',
      `${cmd.assignee} is already assigned ${cmd.role} on ${system.systemId}; revoke that assignment first to change its terms`,
      'assignee',
    );
  assertSeparated(cmd, system);
  const { systemId, assignmentId, role, assignee } = cmd;
  return [
    {
      type: 'AccountabilityAssigned',
      data: { systemId, assignmentId, role, assignee, effectiveFrom, assignedBy: cmd.meta.actor },
    },
  ];
}

export function acceptAccountability(cmd: AcceptAccountability, system: AiSystemRecord): AiSystemEvent[] {
  const assignment = findAssignment(system, cmd.assignmentId);
  if (assignment.assignee !== cmd.meta.actor)
    throw new DomainError(
      'NOT_ASSIGNEE',
      `assignment ${assignment.assignmentId} is for ${assignment.assignee}; only they can accept it`,
    );
  if (assignment.effectiveTo !== undefined)
    throw new DomainError(
      'INVALID_TRANSITION',
      `assignment ${assignment.assignmentId} was revoked; ask for a new assignment`,
      'assignmentId',
    );
  if (assignment.acceptedAt !== undefined)
    throw new DomainError(
      'INVALID_TRANSITION',
      `assignment ${assignment.assignmentId} was already accepted at ${assignment.acceptedAt}`,
      'assignmentId',
    );
  const { assignmentId, role, assignee } = assignment;
  return [
    {
      type: 'AccountabilityAccepted',
      data: { systemId: system.systemId, assignmentId, role, assignee, acceptedAt: cmd.meta.at },
    },
  ];
}

export function revokeAccountability(
  cmd: RevokeAccountability,
  system: AiSystemRecord,
  policy: GovernancePolicy,
): AiSystemEvent[] {
  const assignment = findAssignment(system, cmd.assignmentId);
  if (assignment.effectiveTo !== undefined)
    throw new DomainError(
      'INVALID_TRANSITION',
      `assignment ${assignment.assignmentId} was already revoked effective ${assignment.effectiveTo}`,
      'assignmentId',
    );
  const effectiveTo = effectiveInstant(cmd.effectiveAt ?? cmd.meta.at, cmd.meta.at, 'effectiveAt');
  const endsAt = millis(effectiveTo);
  if (endsAt < millis(assignment.effectiveFrom))
    throw new DomainError(
      'VALIDATION_FAILED',
      `effectiveAt must not precede the assignment's start, ${assignment.effectiveFrom}`,
      'effectiveAt',
    );
  if (leavesRequiredRoleEmpty(system, assignment, endsAt, policy))
    throw new DomainError(
      'ROLE_STILL_REQUIRED',
      `${assignment.assignee} is the last accepted ${assignment.role} of ${system.systemId}, which is ${system.status}; ` +
        `assign a successor effective by ${effectiveTo} and have them accept before revoking`,
      'assignmentId',
    );
  const { assignmentId, role, assignee } = assignment;
  return [
    {
      type: 'AccountabilityRevoked',
      data: {
        systemId: system.systemId,
        assignmentId,
        role,
        assignee,
        effectiveTo,
        revokedBy: cmd.meta.actor,
        reason: cmd.reason,
      },
    },
  ];
}

/** Nobody appoints themselves, authors stay out of the roles that check them, and roles that check each other stay apart. */
function assertSeparated(cmd: AssignAccountability, system: AiSystemRecord): void {
  const { assignee, role, meta } = cmd;
  if (assignee === meta.actor)
    throw separationRefused(
      'SELF_ASSIGNMENT',
      `${meta.actor} tried to assign ${role} to themselves`,
      'another person must assign it, and the assignee then accepts',
    );
  if (ROLES_AUTHORS_MAY_NOT_HOLD.includes(role) && versionAuthors(system).has(assignee))
    throw separationRefused(
      'AUTHOR_HOLDS_CONFLICTING_ROLE',
      `${assignee} developed or registered a version of ${system.systemId}`,
      `assign ${role} to someone who authored none of its versions`,
    );
  const counterparts = INCOMPATIBLE_ROLES.flatMap(([a, b]) => (a === role ? [b] : b === role ? [a] : []));
  const conflicting = activeAssignments(system, meta.at).find(
    (a) => a.assignee === assignee && counterparts.includes(a.role),
  );
  if (conflicting)
    throw separationRefused(
      'CONFLICTING_ROLES',
      `${assignee} already holds ${conflicting.role} on ${system.systemId} (assignment ${conflicting.assignmentId})`,
      `assign ${role} to someone else, or revoke ${conflicting.role} first`,
    );
}

/** Assignments not ended by `at`, accepted or still awaiting acceptance: what a person holds or is about to. */
export function activeAssignments(system: AiSystemRecord, at: string): Assignment[] {
  const t = millis(at);
  return system.assignments.filter((a) => a.effectiveTo === undefined || millis(a.effectiveTo) > t);
}

/** A live system may never be without a required role: some other accepted, unrevoked holder must be in place when this one ends. */
function leavesRequiredRoleEmpty(
  system: AiSystemRecord,
  leaving: Assignment,
  endsAt: number,
  policy: GovernancePolicy,
): boolean {
  if (!isLive(system) || !policy.requiredRoles.includes(leaving.role) || leaving.acceptedAt === undefined)
    return false;
  return !system.assignments.some(
    (a) => a !== leaving && a.role === leaving.role && a.effectiveTo === undefined && heldAt(a, endsAt),
  );
}

function findAssignment(system: AiSystemRecord, assignmentId: string): Assignment {
  const assignment = system.assignments.find((a) => a.assignmentId === assignmentId);
  if (!assignment)
    throw new DomainError(
      'NOT_FOUND',
      `no assignment ${assignmentId} on AI system ${system.systemId}`,
      'assignmentId',
    );
  return assignment;
}
