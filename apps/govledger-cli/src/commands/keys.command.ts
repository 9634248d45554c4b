import { DEFAULT_ROTATION_OVERLAP_DAYS, LedgerKeys } from '@ledger/transparency-log';
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ledgerKeysOptions } from '@ledger/runtime';
import { announceLedger, CliError, keyId, printJson } from '../cli-context';
import { cliConfig, existingLedgerKeys } from '../ledger-access';

export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description(
      "print the ledger's checkpoint verifier key in note vkey format; creates nothing (a new ledger's keys come from `govledger init` or the service's first start)",
    )
    .option(
      '--json',
      'print the data directory, key id, current verifier key and every published one as JSON',
    )
    .action((flags: { json?: boolean }) => {
      const config = cliConfig();
      const ledgerKeys = existingLedgerKeys(config);
      const verifierKey = ledgerKeys.signer().verifierKey;
      announceLedger(config, keyId(verifierKey));
      if (flags.json)
        printJson({
          dataDir: resolve(config.LEDGER_DATA_DIR),
          origin: config.LEDGER_ORIGIN,
          keyId: keyId(verifierKey),
          verifierKey,
          published: ledgerKeys.verifierKeys(),
        });
      // One line and nothing else on stdout, so `govledger keys > ledger.vkey` is the whole set-up for a verifier.
      else process.stdout.write(`${verifierKey}\n`);
    });

  keys
    .command('rotate')
    .description(
      'replace the signing key; the old verifier key stays published so earlier checkpoints keep verifying',
    )
    .option(
      '--overlap-days <days>',
      'how long the retired key keeps signing beside the new one, so verifiers that know only the old key keep passing; 0 (for a leaked key) stops it at once',
      String(DEFAULT_ROTATION_OVERLAP_DAYS),
    )
    .action((flags: { overlapDays: string }) => {
      const overlapDays = Number(flags.overlapDays);
      if (!/^\d+(\.\d+)?$/.test(flags.overlapDays) || !Number.isFinite(overlapDays))
        throw new CliError('--overlap-days must be a number of days, 0 or more');
      const config = cliConfig();
      const options = ledgerKeysOptions(config);
      announceLedger(config, keyId(existingLedgerKeys(config).signer().verifierKey));
      const { retired, current, overlapUntil } = LedgerKeys.rotate(options, overlapDays);
      process.stdout.write(`${current}\n`);
      process.stderr.write(
        `rotated: new checkpoints are signed by ${keyId(current)} from the next checkpoint on (a running service picks the key up itself).\n` +
          (overlapUntil
            ? `${keyId(retired)} keeps signing beside it until ${overlapUntil}, then its secret is deleted; `
            : `${keyId(retired)} signs nothing more; `) +
          `it stays published in ${join(options.keysDir, 'verifiers.txt')} and at GET /v1/keys.\n`,
      );
    });
}
