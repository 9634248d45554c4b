import { LedgerKeys } from '@ledger/transparency-log';
import type { Command } from 'commander';
import { join } from 'node:path';
import { ledgerKeysOptions } from '@ledger/runtime';
import { cliConfig } from '../cli-context';

export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description(
      "print the ledger's checkpoint verifier key in note vkey format (generating the key pair on first use)",
    )
    .action(() => {
      // One line and nothing else on stdout, so `govledger keys > ledger.vkey` is the whole set-up for a verifier.
      process.stdout.write(`${LedgerKeys.open(ledgerKeysOptions(cliConfig())).signer().verifierKey}\n`);
    });

  keys
    .command('rotate')
    .description(
      'replace the signing key; the old verifier key stays published so earlier checkpoints keep verifying',
    )
    .action(() => {
      const options = ledgerKeysOptions(cliConfig());
      const { retired, current } = LedgerKeys.rotate(options);
      process.stdout.write(`${current}\n`);
      process.stderr.write(
        `rotated: new checkpoints are signed by ${keyName(current)} from the next checkpoint on (a running service picks the key up itself).\n` +
          `${keyName(retired)} is retired and stays published in ${join(options.keysDir, 'verifiers.txt')} and at GET /v1/keys.\n`,
      );
    });
}

/** `name+keyid` without the key material. */
function keyName(verifierKey: string): string {
  return verifierKey.split('+').slice(0, 2).join('+');
}
