import type * as Esdb from '@eventstore/db-client';

let loaded: typeof Esdb | undefined;

/**
 * `@eventstore/db-client` at run time, loaded on first use rather than when
 * `@ledger/event-store` is imported. Processes on the SQL stores (the default
 * `npm start`, and every suite that runs them) then never load its gRPC and
 * protobuf stack: it costs start-up time and memory, and its google-protobuf
 * bundle fails when jest compiles it (the bundle reads a top-level `this` that
 * the compiled module no longer has).
 */
export function esdb(): typeof Esdb {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deferred load described above
  return (loaded ??= require('@eventstore/db-client') as typeof Esdb);
}

// The client's constants are protocol names; spelling them here, typed as the client's own literals, needs no load.
export const NO_STREAM: typeof Esdb.NO_STREAM = 'no_stream';
export const START: typeof Esdb.START = 'start';
export const END: typeof Esdb.END = 'end';
export const FORWARDS: typeof Esdb.FORWARDS = 'forwards';
export const BACKWARDS: typeof Esdb.BACKWARDS = 'backwards';

type ClientErrorName =
  | 'WrongExpectedVersionError'
  | 'StreamNotFoundError'
  | 'StreamDeletedError'
  | 'AccessDeniedError'
  | 'UnavailableError'
  | 'CancelledError'
  | 'DeadlineExceededError'
  | 'TimeoutError'
  | 'NotLeaderError'
  | 'UnknownError';

/** Whether the client threw one of these. Only ever asked about errors out of client calls, so the client is already loaded. */
export function isClientError<N extends ClientErrorName>(
  error: unknown,
  ...names: N[]
): error is InstanceType<(typeof Esdb)[N]> {
  if (!(error instanceof Error)) return false;
  const client = esdb();
  return names.some((name) => error instanceof client[name]);
}
