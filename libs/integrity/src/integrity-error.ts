/**
 * Why a proof, key, note or checkpoint was refused. Every verifier in this lib
 * throws this rather than returning a boolean: a boolean that a caller forgets
 * to check is a forged proof accepted (the immudb SDK failure, GHSA-672p-m5jq-mrh8),
 * while an exception cannot be ignored by accident.
 */
export type IntegrityErrorCode =
  /** A hash is not 32 bytes, or its hex/base64 spelling is not canonical. */
  | 'MALFORMED_HASH'
  /** A leaf index or tree size is negative, fractional, too large, or outside the tree. */
  | 'OUT_OF_RANGE'
  /** A proof has more or fewer hashes than its leaf index and tree sizes call for. */
  | 'WRONG_PROOF_LENGTH'
  /** The proof is well formed but does not lead to the expected root(s). */
  | 'ROOT_MISMATCH'
  /** Node hashes handed to a request do not match what it asked for. */
  | 'MALFORMED_NODES'
  | 'MALFORMED_KEY'
  /** Two configured verifier keys share a name and key id, so a signature cannot be attributed. */
  | 'AMBIGUOUS_KEY'
  | 'MALFORMED_NOTE'
  /** A known key signed the note, and its signature does not verify. */
  | 'INVALID_SIGNATURE'
  /** The note carries no valid signature from any key the caller trusts. */
  | 'UNVERIFIED_NOTE'
  | 'MALFORMED_CHECKPOINT'
  /** A validly signed checkpoint belongs to a different log than the caller expected. */
  | 'ORIGIN_MISMATCH'
  /** An RFC 3161 timestamp token or reply is not well-formed DER of the expected structure. */
  | 'MALFORMED_TIMESTAMP'
  /** The timestamp authority answered with a refusal. */
  | 'TIMESTAMP_REFUSED'
  /** The token is over another digest, or its signed attributes or nonce do not match. */
  | 'TIMESTAMP_MISMATCH'
  /** The token's certificate is not for time stamping, not valid then, or not the trusted one. */
  | 'TIMESTAMP_UNTRUSTED';

export class IntegrityError extends Error {
  constructor(
    readonly code: IntegrityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IntegrityError';
  }
}
