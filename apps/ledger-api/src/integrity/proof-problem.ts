import { MerkleStoreDamagedError, ProofRequestError } from '@ledger/transparency-log';
import { ProblemError } from '../errors/problem';
import { mayRead, type Caller } from '../request-context/caller';

const STATUS = {
  UNKNOWN_EVENT: 404,
  NO_CHECKPOINT: 404,
  NOT_IN_CHECKPOINT: 404,
  INVALID_RANGE: 400,
} as const;

/** Proof failures as the problems callers read; anything else passes through to the global mapping. */
export function proofProblem(error: unknown): unknown {
  if (error instanceof ProofRequestError)
    return new ProblemError({
      status: STATUS[error.code],
      code: error.code,
      message: error.message,
      field: error.parameter,
    });
  if (error instanceof MerkleStoreDamagedError)
    return new ProblemError({ status: 500, code: 'MERKLE_LOG_DAMAGED', message: error.message });
  return error;
}

/** An event whose proof the caller may have (mayRead), else a missing one. HTTP and GraphQL both ask here. */
export function assertProvable(
  caller: Caller,
  eventId: string,
  event: { tenantId: string; systemId: unknown } | undefined,
): void {
  if (!event || !mayRead(caller, event))
    throw new ProblemError({
      status: 404,
      code: 'UNKNOWN_EVENT',
      field: 'eventId',
      message: `no sealed event has eventId ${eventId}; it does not exist, or the sealer has not reached it yet`,
    });
}
