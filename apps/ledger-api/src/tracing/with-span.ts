import { withSpanFor } from '@ledger/event-store';

/** The spans the API opens itself (a command, an ingest batch), under the API's instrumentation scope. */
export const withSpan = withSpanFor('ledger-api');
