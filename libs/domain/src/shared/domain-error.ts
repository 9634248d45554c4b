/**
 * Stable codes the edge maps once to GraphQL errors and HTTP statuses. A code
 * names the rule that was broken; the message says what would satisfy it.
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_TRANSITION'
  | 'GATE_NOT_MET'
  | 'NOT_TAKEDOWN_AUTHORITY'
  | 'NOT_ASSIGNEE'
  | 'ROLE_STILL_REQUIRED'
  | 'VALIDATOR_IS_DEVELOPER'
  | 'VALIDATION_DATASET_APPROVED_BY_AUTHOR'
  | 'REVIEWER_IS_DEVELOPER'
  | 'REVIEWER_ALREADY_APPROVED'
  | 'PURPOSE_NOT_APPROVED'
  | 'INVALID_ROLLBACK_TARGET'
  | 'SELF_ASSIGNMENT'
  | 'AUTHOR_HOLDS_CONFLICTING_ROLE'
  | 'CONFLICTING_ROLES'
  | 'RATIFIER_IS_DECIDER'
  | 'RATIFIER_IS_AUTHOR'
  | 'DECIDER_IS_AUTHOR'
  | 'EFFECTIVE_BEFORE_RECORDED'
  | 'VALIDATION_NOT_PLANNED'
  | 'VALIDATION_PLAN_LOCKED'
  | 'VALIDATION_PLAN_MISMATCH'
  | 'VALIDATION_DATASET_NOT_APPROVED'
  | 'VALIDATION_DATASET_IS_TRAINING_DATA'
  | 'NOT_MONITORING_SOURCE'
  | 'INCIDENT_UNDER_INVESTIGATION'
  | 'NOT_FINDING_OWNER'
  | 'VERIFIER_IS_OWNER'
  | 'RELEASER_IS_PLACER'
  | 'NOT_DATA_PROTECTION_OFFICER'
  | 'SELF_ERASURE'
  | 'LEGAL_HOLD';

/** One failing field of an event's data, as a JSON Pointer into that data ('' is the data itself). */
export interface ValidationProblem {
  field: string;
  rule: string;
  message: string;
}

/** One gate that keeps a version from reaching patients, and what would open it. */
export interface UnmetGate {
  gate: string;
  message: string;
}

export interface DomainErrorDetails {
  unmetGates?: readonly UnmetGate[];
  problems?: readonly ValidationProblem[];
}

/**
 * A rejected command. It is thrown rather than returned so a decider reads as
 * a list of rules, but it is a value: the edge matches on `code`, never on the
 * message, and never shows a stack trace.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: DomainErrorDetails,
  ) {
    super(message);
  }
}

/** The `default` branch of an exhaustive switch: adding a command or event type without a case stops compiling here. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
