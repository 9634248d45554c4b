/**
 * A sealer process for crash tests: runs the sealer over a store, reporting
 * each batch as it applies it, until the parent kills it.
 *
 * Arguments: <store kind> <store location> <read store kind> <read store location> <keys dir>
 */
import { runConsumerChild } from '../../../../test/support/consumer-child';
import { LedgerKeys } from '../ledger-keys';
import { MerkleSealer } from '../merkle-sealer';

const CHILD_ORIGIN = 'crash.test/ledger';
const CHILD_CHECKPOINT_EVERY = 100;

runConsumerChild((readStore, [keysDir]) => {
  const keys = LedgerKeys.open({ keysDir, origin: CHILD_ORIGIN });
  return new MerkleSealer({
    readStore,
    origin: CHILD_ORIGIN,
    signers: () => keys.signers(),
    checkpointEveryEvents: CHILD_CHECKPOINT_EVERY,
  });
}).catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
