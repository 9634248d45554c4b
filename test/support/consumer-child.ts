/**
 * The common part of the consumer processes crash tests kill and restart (a
 * projection in @ledger/read-store's spec, the sealer in
 * @ledger/transparency-log's): open the stores named on the command line, run
 * the consumer to the head of the store, and report each batch as it applies
 * it. The parent kills the process with SIGKILL whenever it likes.
 *
 * Arguments: <store kind> <store location> <read store kind> <read store location> [extra...]
 */
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { type Consumer, openReadStore, ProjectionRunner, type ReadStore } from '@ledger/read-store';

export async function runConsumerChild<DB extends object>(
  consumerFor: (readStore: ReadStore, extraArgs: string[]) => Consumer<DB>,
): Promise<void> {
  const [storeKind, storeLocation, readKind, readLocation, ...extraArgs] = process.argv.slice(2);
  const store: EventStore =
    storeKind === 'sqlite'
      ? await SqliteEventStore.open(storeLocation)
      : await PostgresEventStore.open(storeLocation);
  const readStore = await openReadStore(
    readKind === 'sqlite'
      ? { kind: 'sqlite', sqliteFile: readLocation }
      : { kind: 'postgres', databaseUrl: readLocation },
  );
  await runToHead(store, readStore, consumerFor(readStore, extraArgs));
  await readStore.close();
  await store.close();
}

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
