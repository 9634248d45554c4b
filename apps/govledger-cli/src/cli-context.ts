import type { WitnessPolicyResult } from '@ledger/integrity';
import { type Options as ProgressOptions, type Preset, SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { LedgerConfig } from '@ledger/runtime';

/*
 * What every command needs and loads nothing heavy: its registration imports
 * only this, so `govledger --help` or `verify-bundle` does not load the
 * configuration's validators, the domain and the store drivers
 * (ledger-access.ts, imported by an action when it runs).
 */

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

/** A diagnostic line on stderr, so stdout keeps only the result. */
export function note(text: string): void {
  process.stderr.write(`govledger: ${text}\n`);
}

/**
 * Which ledger a command works on, said before it does anything: a data
 * directory set in the wrong shell is then seen at once, not after an
 * auditor has been handed the wrong key.
 */
export function announceLedger(config: LedgerConfig, keyId?: string): void {
  const readStore =
    config.LEDGER_READ_STORE === config.LEDGER_STORE ? '' : `, read store ${config.LEDGER_READ_STORE}`;
  note(
    `using the ledger in ${resolve(config.LEDGER_DATA_DIR)} (store ${config.LEDGER_STORE}${readStore}${keyId ? `, key ${keyId}` : ''})`,
  );
}

/** `name+keyid` of a note verifier key, without the key material. */
export function keyId(verifierKey: string): string {
  return verifierKey.split('+').slice(0, 2).join('+');
}

/**
 * Who is running the command, for the record: the person behind sudo, else
 * the login. Never `root`: an export is accounted to a person.
 */
export function caller(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = env.SUDO_USER || env.USER || env.LOGNAME || userInfo().username;
  return name && name !== 'root' ? name : undefined;
}

/** Machine-readable output: one JSON document on stdout; bigints as decimal strings. */
export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
}

/** An ETA cli-progress cannot estimate yet (no rate, or no total) shows as a dash, not `NFs` or `ULLs`. */
export function formatEta(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
  if (seconds >= 60)
    return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.round(seconds)}s`;
}

/** A progress bar on stderr whose ETA never reads `NFs`. */
export function progressBar(options: ProgressOptions, preset?: Preset): SingleBar {
  return new SingleBar(
    {
      stream: process.stderr,
      ...options,
      // cli-progress formats the elapsed time with the same function; only its ETA can be unknown.
      formatTime: (t: number) => formatEta(t),
    },
    preset,
  );
}

export interface WitnessFlags {
  witnessKey?: string[];
  witnessThreshold?: number;
}

/** `--witness-key` (repeatable) and `--witness-threshold`, shared by verify and verify-bundle. */
export function witnessPolicyFlags(command: Command): Command {
  return command
    .option(
      '--witness-key <vkey...>',
      'a witness you trust (its cosignature/v1 verifier key, obtained from the witness); repeat for each',
    )
    .option(
      '--witness-threshold <k>',
      'fail unless at least k of the --witness-key witnesses cosigned the checkpoint (default 1 with --witness-key)',
      (value: string) => {
        if (!/^[1-9][0-9]*$/.test(value))
          throw new InvalidArgumentError('--witness-threshold must be a whole number, 1 or more');
        return Number(value);
      },
    );
}

/** The policy the flags ask for, or undefined without --witness-key; a threshold alone is a mistake. */
export function witnessPolicyOf(flags: WitnessFlags): { keys: string[]; threshold: number } | undefined {
  if (!flags.witnessKey) {
    if (flags.witnessThreshold !== undefined)
      throw new CliError(
        '--witness-threshold needs the witnesses it counts: give each with --witness-key <vkey>',
      );
    return undefined;
  }
  return { keys: flags.witnessKey, threshold: flags.witnessThreshold ?? 1 };
}

/** The witness policy's outcome, one line per witness that cosigned. */
export function witnessPolicyLines({ cosignedBy, threshold, met }: WitnessPolicyResult): string {
  return (
    `  ${met ? 'witnesses' : 'WITNESS POLICY NOT MET'}: ${cosignedBy.length} of the trusted witnesses cosigned the checkpoint (at least ${threshold} required)\n` +
    cosignedBy.map((c) => `    cosigned by ${c.witness} at ${c.time}\n`).join('')
  );
}
