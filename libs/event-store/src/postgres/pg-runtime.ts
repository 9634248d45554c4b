import type * as Pg from 'pg';

let loaded: typeof Pg | undefined;

/**
 * `pg` at run time, loaded when a PostgreSQL store is first opened rather than
 * when `@ledger/event-store` (or the read store) is imported: the service and
 * every `govledger` command on the embedded SQLite default would otherwise load
 * the driver for nothing, about 18 ms of each start-up (docs/performance.md).
 */
export function pg(): typeof Pg {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deferred load described above
  return (loaded ??= require('pg') as typeof Pg);
}
