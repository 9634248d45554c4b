import { LOCAL_ISSUER_FILE, LocalIssuer } from '@ledger/auth';
import type { EventStore } from '@ledger/event-store';
import type { ReadStore } from '@ledger/read-store';
import { LedgerKeys, MissingLedgerKeyError } from '@ledger/transparency-log';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  type LedgerConfig,
  LEDGER_URL_PATTERN,
  LEDGER_URL_RULE,
  ledgerKeysOptions,
  loadConfig,
  openConfiguredReadStore,
  openEventStore,
} from '@ledger/runtime';
import { CliError, EXIT } from './cli-context';

/*
 * The ledger a command works on: its configuration, stores and keys. Loaded by
 * a command's action with `await import()`, never by its registration, so
 * commands that need none of it (`verify-bundle`, `--help`) start without it.
 */

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
        `there is no event store at ${file}; set LEDGER_DATA_DIR (or LEDGER_STORE and DATABASE_URL) to the ledger's, ` +
          'or start the service once to create it',
      );
  }
  return opened(`event store (${where(config, config.LEDGER_STORE)})`, () => openEventStore(config));
}

/** The read store holding the signed checkpoints, if there is one; never created here. */
export async function openExistingReadStore(config: LedgerConfig): Promise<ReadStore | undefined> {
  if (config.LEDGER_READ_STORE !== 'postgres' && !existsSync(join(config.LEDGER_DATA_DIR, 'read.sqlite')))
    return undefined;
  return opened(`read store (${where(config, config.LEDGER_READ_STORE ?? 'sqlite')})`, () =>
    openConfiguredReadStore(config),
  );
}

/** Where a store is configured, by the setting that says so: never DATABASE_URL's value, which may hold a password. */
function where(config: LedgerConfig, kind: LedgerConfig['LEDGER_STORE']): string {
  if (kind === 'postgres') return 'PostgreSQL at DATABASE_URL';
  if (kind === 'eventstoredb') return 'EventStoreDB at EVENTSTORE_CONNECTION_STRING';
  return `SQLite in ${resolve(config.LEDGER_DATA_DIR)}`;
}

/** A store that will not open (its database down or missing, its file unreadable): one line saying so, not a stack. */
async function opened<T>(what: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw new CliError(`cannot open the ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function noLedgerHere(config: LedgerConfig, missing: string): CliError {
  return new CliError(
    `there is no ledger in ${resolve(config.LEDGER_DATA_DIR)}: ${missing} does not exist, and nothing was created. ` +
      "Set LEDGER_DATA_DIR to the ledger's data directory, or create a new ledger there with `govledger init`",
  );
}

/** The ledger's note keys as they are; a missing key is an error, never a reason to make one. */
export function existingLedgerKeys(config: LedgerConfig): LedgerKeys {
  try {
    return LedgerKeys.openExisting(ledgerKeysOptions(config));
  } catch (error) {
    if (error instanceof MissingLedgerKeyError) throw noLedgerHere(config, error.missing);
    throw error;
  }
}

/** The local token issuer as it is; a token signed by a new key would only be refused by the service. */
export function existingIssuer(config: LedgerConfig): LocalIssuer {
  const keysDir = join(config.LEDGER_DATA_DIR, 'keys');
  const issuer = LocalIssuer.openExisting(keysDir, config.AUTH_ISSUER, config.AUTH_AUDIENCE);
  if (!issuer)
    throw noLedgerHere(config, resolve(existsSync(keysDir) ? join(keysDir, LOCAL_ISSUER_FILE) : keysDir));
  return issuer;
}

/** The service address: the command's --url, else LEDGER_URL, else the local default on PORT. */
export function serviceUrl(config: LedgerConfig, flag?: string): string {
  if (flag !== undefined && !LEDGER_URL_PATTERN.test(flag))
    throw new CliError(LEDGER_URL_RULE.replace('LEDGER_URL', '--url'), EXIT.failed);
  return (flag ?? config.LEDGER_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/$/, '');
}
