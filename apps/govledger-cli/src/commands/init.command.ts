import { LOCAL_ISSUER_FILE, LocalIssuer } from '@ledger/auth';
import { LedgerKeys, SIGNING_KEY_FILE, VERIFIER_KEYS_FILE } from '@ledger/transparency-log';
import type { Command } from 'commander';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ledgerKeysOptions } from '@ledger/runtime';
import { announceLedger, CliError, keyId } from '../cli-context';
import { cliConfig } from '../ledger-access';

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      "create a new ledger's data directory and keys (the checkpoint signing key and the local token issuer) under LEDGER_DATA_DIR; " +
        'never overwrites a key',
    )
    .action(async () => {
      const config = cliConfig();
      const dataDir = resolve(config.LEDGER_DATA_DIR);
      const options = ledgerKeysOptions(config);
      const keyFiles = [
        ...(options.signingKeyFile ? [] : [join(options.keysDir, SIGNING_KEY_FILE)]),
        ...(config.AUTH_JWKS_URL ? [] : [join(options.keysDir, LOCAL_ISSUER_FILE)]),
      ].map((file) => resolve(file));
      const present = keyFiles.filter((file) => existsSync(file));
      if (present.length > 0)
        throw new CliError(
          `${dataDir} already holds a ledger's keys (${present.join(', ')}); init never overwrites a key. ` +
            'Use it as it is, rotate the signing key with `govledger keys rotate`, or choose another LEDGER_DATA_DIR',
        );
      const files = [
        dataDir,
        resolve(options.keysDir),
        ...keyFiles,
        resolve(options.keysDir, VERIFIER_KEYS_FILE),
      ];
      const existed = new Set(files.filter((file) => existsSync(file)));
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const verifierKey = LedgerKeys.open(options).signer().verifierKey;
      if (!config.AUTH_JWKS_URL)
        await LocalIssuer.open(options.keysDir, config.AUTH_ISSUER, config.AUTH_AUDIENCE);
      announceLedger(config, keyId(verifierKey));
      for (const file of files.filter((f) => !existed.has(f))) process.stdout.write(`created ${file}\n`);
      process.stdout.write(
        `the ledger ${config.LEDGER_ORIGIN} signs its checkpoints with ${keyId(verifierKey)}; start the service with LEDGER_DATA_DIR=${dataDir}\n`,
      );
    });
}
