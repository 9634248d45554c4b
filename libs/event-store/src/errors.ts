/** Stable codes users and tests rely on; mapped once, at the edge, to GraphQL errors and HTTP statuses. */
export type StoreErrorCode =
  'CONCURRENCY_CONFLICT' | 'EVENT_ID_REUSED' | 'VALIDATION_FAILED' | 'STORE_UNAVAILABLE';

export class EventStoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EventStoreError';
  }
}

export function describeExpected(expected: number | 'no_stream' | 'any'): string {
  return typeof expected === 'number'
    ? `revision ${expected}`
    : expected === 'no_stream'
      ? 'no stream'
      : 'any revision';
}

export function concurrencyConflict(
  stream: string,
  expected: number | 'no_stream' | 'any',
  actual: number | null,
): EventStoreError {
  const actualText = actual === null ? 'no stream' : `revision ${actual}`;
  return new EventStoreError(
    'CONCURRENCY_CONFLICT',
    `stream ${stream} was expected at ${describeExpected(expected)} but is at ${actualText}; reload the stream and decide again`,
    { stream, expectedRevision: expected, actualRevision: actual },
  );
}
