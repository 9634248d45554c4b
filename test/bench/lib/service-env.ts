import type { StoreOpening } from '@ledger/runtime';

/**
 * The service's environment on `dataDir`, as serve-api starts it. A module of
 * its own, so that a measurement running one part of the service alone (its
 * projections, its sealer) reads the same settings without loading the rest.
 */
export function serviceEnv(dataDir: string, checkpointEveryMs?: number): NodeJS.ProcessEnv {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    // Request logging at info would measure pino, not the ledger; errors still show on stderr.
    LOG_LEVEL: 'error',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_SYNCHRONOUS: 'FULL',
    LEDGER_PSEUDONYM_KEY: 'b'.repeat(64),
    // The per-principal abuse limit would cap the one load generator at 1,000 requests/s; the bench measures capacity.
    LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
    ...(checkpointEveryMs ? { LEDGER_CHECKPOINT_EVERY_MS: String(checkpointEveryMs) } : {}),
  };
}

/**
 * How the service opens its stores (apps/ledger-api serviceStoreOpening): on
 * SQLite, each file's WAL checkpointed on a thread. A failed thread fails the
 * measurement rather than letting it go on at SQLite's default unnoticed.
 */
export const SERVICE_STORE_OPENING: StoreOpening = {
  walCheckpointThread: {
    onFailure: (error) => {
      throw error;
    },
  },
};
