/**
 * A projection process for crash tests: runs the counting projection or the
 * sealer over a store and reports each batch as it applies it. The parent
 * kills it with SIGKILL whenever it likes, then restarts it.
 *
 * Arguments: <counts|merkle> <store kind> <store location> <read store kind> <read store location> [keys dir]
 */
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { LedgerKeys } from '../merkle-log/ledger-keys';
import { MerkleSealer } from '../merkle-log/merkle-sealer';
import { openReadStore, type ReadStore } from '../read-store';
import { type Consumer, ProjectionRunner } from '../runner/projection-runner';
import { CountingConsumer } from './counting-consumer';

export const CHILD_ORIGIN = 'crash.test/ledger';
export const CHILD_CHECKPOINT_EVERY = 100;

async function runToHead<DB extends object>(
  store: EventStore,
  readStore: ReadStore,
  consumer: Consumer<DB>,
): Promise<void> {
  const apply = consumer.apply.bind(consumer);
  consumer.apply = async (trx, events) => {
    await apply(trx, events);
    process.stdout.write(`applying ${events[events.length - 1].position}\n`);
  };
  const runner = new ProjectionRunner({ store, readStore, consumer, maxBatchSize: 50 });
  await runner.start();
  process.stdout.write('ready\n');
  const head = await store.headPosition();
  await runner.waitFor(head, 120_000);
  process.stdout.write(`caught-up ${head}\n`);
  await runner.stop();
}

async function main(): Promise<void> {
  const [consumerKind, storeKind, storeLocation, readKind, readLocation, keysDir] = process.argv.slice(2);
  const store: EventStore =
    storeKind === 'sqlite'
      ? await SqliteEventStore.open(storeLocation)
      : await PostgresEventStore.open(storeLocation);
  const readStore = await openReadStore(
    readKind === 'sqlite'
      ? { kind: 'sqlite', sqliteFile: readLocation }
      : { kind: 'postgres', databaseUrl: readLocation },
  );
  if (consumerKind === 'counts') {
    await runToHead(store, readStore, new CountingConsumer());
  } else {
    const keys = LedgerKeys.open({ keysDir, origin: CHILD_ORIGIN });
    await runToHead(
      store,
      readStore,
      new MerkleSealer({
        readStore,
        origin: CHILD_ORIGIN,
        signer: () => keys.signer(),
        checkpointEveryEvents: CHILD_CHECKPOINT_EVERY,
      }),
    );
  }
  await readStore.close();
  await store.close();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
