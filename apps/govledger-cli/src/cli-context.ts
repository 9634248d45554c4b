import type { EventStore } from '@ledger/event-store';
import type { ReadStore } from '@ledger/read-store';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  type LedgerConfig,
  loadConfig,
  openConfiguredReadStore,
  openEventStore,
} from '@ledger/runtime';

/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, damage: 1, failed: 2, config: 78 } as const;

/** A failure the user can fix, already phrased for them: printed as is, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The same environment, read the same way, as the service: one source of truth for every setting. */
export function cliConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.config);
    throw error;
  }
}

/**
 * The configured event store, refusing to invent an empty one: verifying a
 * fresh file would "pass" while the real ledger sits in another directory.
 */
export async function openExistingEventStore(config: LedgerConfig): Promise<EventStore> {
  if (config.LEDGER_STORE === 'sqlite') {
    const file = join(config.LEDGER_DATA_DIR, 'events.sqlite');
    if (!existsSync(file))
      throw new CliError(
        `there is no event store at ${file}; set LEDGER_DATA_DIR (or LEDGER_STORE and DATABASE_URL) to the ledger's`,
      );
  }
  return openEventStore(config);
}

/** The read store holding the signed checkpoints, if there is one; never created here. */
export async function openExistingReadStore(config: LedgerConfig): Promise<ReadStore | undefined> {
  if (config.LEDGER_READ_STORE !== 'postgres' && !existsSync(join(config.LEDGER_DATA_DIR, 'read.sqlite')))
    return undefined;
  return openConfiguredReadStore(config);
}
