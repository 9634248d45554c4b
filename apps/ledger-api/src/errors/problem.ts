import { DomainError, type DomainErrorCode } from '@ledger/domain';
import { EventStoreError, type StoreErrorCode } from '@ledger/event-store';
import { QueryInputError } from '@ledger/read-models';
import { HttpException } from '@nestjs/common';

/** What a user reads when a request fails: a stable code, the field concerned, and what would make it right. */
export interface Problem {
  status: number;
  code: string;
  message: string;
  field?: string;
  details?: unknown;
}

/** A failure raised at the edge (bad header, bad query parameter) that already knows its problem. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
    this.name = 'ProblemError';
  }
}

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  INVALID_TRANSITION: 409,
  GATE_NOT_MET: 422,
  NOT_TAKEDOWN_AUTHORITY: 403,
  NOT_ASSIGNEE: 403,
  ROLE_STILL_REQUIRED: 409,
  VALIDATOR_IS_DEVELOPER: 422,
  VALIDATION_DATASET_APPROVED_BY_AUTHOR: 422,
  REVIEWER_IS_DEVELOPER: 422,
  REVIEWER_ALREADY_APPROVED: 409,
  PURPOSE_NOT_APPROVED: 422,
  INVALID_ROLLBACK_TARGET: 422,
  SELF_ASSIGNMENT: 422,
  AUTHOR_HOLDS_CONFLICTING_ROLE: 422,
  CONFLICTING_ROLES: 422,
  RATIFIER_IS_DECIDER: 422,
  RATIFIER_IS_AUTHOR: 422,
  DECIDER_IS_AUTHOR: 422,
  EFFECTIVE_BEFORE_RECORDED: 422,
  VALIDATION_NOT_PLANNED: 422,
  VALIDATION_PLAN_LOCKED: 409,
  VALIDATION_PLAN_MISMATCH: 422,
  VALIDATION_DATASET_NOT_APPROVED: 422,
  VALIDATION_DATASET_IS_TRAINING_DATA: 422,
  NOT_MONITORING_SOURCE: 403,
  INCIDENT_UNDER_INVESTIGATION: 409,
  NOT_FINDING_OWNER: 403,
  VERIFIER_IS_OWNER: 422,
  RELEASER_IS_PLACER: 422,
  NOT_DATA_PROTECTION_OFFICER: 403,
  SELF_ERASURE: 422,
  // What is asked for is allowed, just not while the hold lasts: a conflict with the ledger's state.
  LEGAL_HOLD: 409,
};

const STORE_STATUS: Record<StoreErrorCode, number> = {
  CONCURRENCY_CONFLICT: 409,
  EVENT_ID_REUSED: 409,
  VALIDATION_FAILED: 400,
  STORE_UNAVAILABLE: 503,
};

/**
 * The database cannot be reached: refused, reset, or ended by a shutdown or
 * failover (PostgreSQL's class 08 and 57P01-57P03). The same request may
 * succeed in a moment, so the caller is told to come back, not that it failed.
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
/** pg's own words for a connection that died, which carry no code. */
const UNREACHABLE_MESSAGE = /^Connection terminated|is not queryable/;
/** A full disk: SQLite's SQLITE_FULL, PostgreSQL's disk_full. */
const FULL_CODES = new Set(['SQLITE_FULL', '53100']);

function databaseFailure(error: unknown): Problem | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && FULL_CODES.has(code))
    return {
      status: 507,
      code: 'STORAGE_FULL',
      message:
        "the ledger's disk is full, so nothing was recorded for this request; an operator must free space where the ledger keeps its data, then resend it (the same eventIds are safe to resend)",
    };
  if (
    (typeof code === 'string' && UNREACHABLE_CODES.has(code)) ||
    (typeof message === 'string' && UNREACHABLE_MESSAGE.test(message))
  )
    return {
      status: 503,
      code: 'STORE_UNAVAILABLE',
      message:
        "the ledger's database cannot be reached right now; retry shortly. Had the request reached its commit it may be stored already: resending the same eventIds is safe, they are answered as duplicates",
    };
  return undefined;
}

/** Fastify's and Nest's own client errors reach toProblem with a status and no code of ours. */
function clientErrorCode(status: number): string {
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  return 'BAD_REQUEST';
}

/** The single mapping from an error to what the caller sees, used by GraphQL and HTTP alike. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof DomainError)
    return {
      status: DOMAIN_STATUS[error.code],
      code: error.code,
      message: error.message,
      field: error.field,
      details: error.details,
    };
  if (error instanceof EventStoreError)
    return {
      status: STORE_STATUS[error.code],
      code: error.code,
      message: error.message,
      field: error.details.field as string | undefined,
      details: error.details,
    };
  if (error instanceof QueryInputError)
    return { status: 400, code: 'VALIDATION_FAILED', message: error.message, field: error.field };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, code: clientErrorCode(status), message: error.message };
  }
  const status = (error as { statusCode?: number }).statusCode;
  // Fastify's own client errors (malformed JSON, body too large) carry a 4xx status and a safe message.
  if (typeof status === 'number' && status >= 400 && status < 500)
    return { status, code: clientErrorCode(status), message: (error as Error).message };
  const database = databaseFailure(error);
  if (database) return database;
  return {
    status: 500,
    code: 'INTERNAL',
    message:
      'the ledger failed to process this request; nothing was recorded for it. The error is logged for operators',
  };
}

/**
 * One line per failure, at the level it deserves: a bug (500) as an error
 * with its stack; an outage (503 store unavailable, 507 disk full) as one
 * warning, since it repeats for every request until the cause is fixed; a
 * refusal (4xx, such as GATE_NOT_MET or VALIDATION_FAILED) at info, without
 * a stack, since the service worked as it should. A refusal's message is not
 * logged: it may quote what the caller sent.
 */
export function logFailure(
  log: {
    error(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
  },
  problem: Problem,
  error: unknown,
): void {
  if (problem.status === 500) log.error({ err: error }, 'request failed');
  else if (problem.status > 500)
    log.warn(
      { code: problem.code, reason: problem.message },
      'request refused: the ledger cannot store or read right now',
    );
  else log.info({ status: problem.status, code: problem.code, field: problem.field }, 'request refused');
}
