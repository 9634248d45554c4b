/**
 * Streams the adapter reserves for itself: one per eventId, holding the claims
 * that make idempotency permanent (see event-id-claims.ts). A ledger stream
 * name must start with a letter or digit (validate-append.ts), so `_` can
 * never collide with one. Not `$`: those are system streams, writable only by
 * `$admins` under the server's default ACL, and the application's user must
 * not be an administrator (an administrator may delete).
 */
export const CLAIM_STREAM_PREFIX = '_ledger-eventid-';

export function claimStreamOf(eventId: string): string {
  return `${CLAIM_STREAM_PREFIX}${eventId}`;
}

/** Ledger streams are what readAll and subscribeAll deliver, and so all the Merkle log covers: not system streams, not claims. */
export function isLedgerStream(stream: string): boolean {
  return !stream.startsWith('$') && !stream.startsWith(CLAIM_STREAM_PREFIX);
}
