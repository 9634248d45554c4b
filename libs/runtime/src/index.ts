/*
 * What every ledger process (the service, the govledger CLI) starts from: the
 * configuration read and checked from the environment, the event store and
 * read store it names, where the note keys live, and the governance policy.
 * Plain functions, no Nest: the service's modules wire them in, the CLI calls
 * them directly, so both read the same settings the same way.
 */
export {
  ConfigError,
  instantRange,
  LedgerConfig,
  LEDGER_URL_PATTERN,
  LEDGER_URL_RULE,
  loadConfig,
  retentionSchedule,
} from './ledger-config';
export { governancePolicy } from './governance-policy';
export { ledgerKeysOptions } from './ledger-keys-options';
export { openConfiguredReadStore, openEventStore, type StoreOpening } from './stores';
export { writableFileProblem } from './writable-file';
export { legalHoldsOf, retentionEventOf } from './retention';
