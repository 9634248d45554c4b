import type { LedgerKeysOptions } from '@ledger/transparency-log';
import { join } from 'node:path';
import type { LedgerConfig } from './ledger-config';

/** Where the ledger's note keys live; shared by the service and the `govledger` CLI so both use the same key. */
export function ledgerKeysOptions(config: LedgerConfig): LedgerKeysOptions {
  return {
    keysDir: join(config.LEDGER_DATA_DIR, 'keys'),
    origin: config.LEDGER_ORIGIN,
    signingKeyFile: config.LEDGER_SIGNING_KEY_FILE || undefined,
  };
}
