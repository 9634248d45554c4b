import type * as Jose from 'jose';

let loaded: typeof Jose | undefined;

/**
 * `jose` at run time, loaded when a token is first issued, read or verified
 * rather than when `@ledger/auth` is imported: the configuration imports
 * this library for its default claim names, so every `govledger` command
 * (verify, verify-bundle, export) loaded jose for nothing, 14–39 ms of each
 * start-up (docs/performance.md). The service loads it as its token verifier starts.
 */
export function jose(): typeof Jose {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deferred load described above
  return (loaded ??= require('jose') as typeof Jose);
}
