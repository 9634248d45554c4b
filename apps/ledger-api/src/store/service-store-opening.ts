import { Logger } from '@nestjs/common';
import type { StoreOpening } from '@ledger/runtime';

/**
 * How the service opens a store: it writes for as long as it runs, so a
 * SQLite file's WAL is checkpointed on a thread of its own rather than inside
 * the commits of the requests' one thread. A failed thread is logged; that
 * store's commits then checkpoint as SQLite does by default.
 */
export function serviceStoreOpening(store: string): StoreOpening {
  const logger = new Logger(store);
  return {
    walCheckpointThread: {
      onFailure: (error) =>
        logger.error(
          `the WAL checkpoint thread failed (${error.message}); commits checkpoint the log themselves from now on`,
        ),
    },
  };
}
