import { MerkleStoreDamagedError, ProofRequestError } from '@ledger/read-models';
import { ProblemError } from '../errors/problem';

const STATUS = { UNKNOWN_EVENT: 404, NO_CHECKPOINT: 404, NOT_IN_CHECKPOINT: 404, INVALID_RANGE: 400 } as const;

/** Proof failures as the problems callers read; anything else passes through to the global mapping. */
export function proofProblem(error: unknown): unknown {
  if (error instanceof ProofRequestError) return new ProblemError({ status: STATUS[error.code], code: error.code, message: error.message, field: error.parameter });
  if (error instanceof MerkleStoreDamagedError) return new ProblemError({ status: 500, code: 'MERKLE_LOG_DAMAGED', message: error.message });
  return error;
}
