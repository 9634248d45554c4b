/**
 * A projection process for crash tests: runs the counting projection over a
 * store and reports its position after each committed batch. The parent kills
 * it with SIGKILL whenever it likes, then restarts it.
 *
 * Arguments: <store kind> <store location> <read store kind> <read store location>
 */
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { openReadStore } from '../read-store';
import { ProjectionRunner } from '../runner/projection-runner';
import { CountingConsumer } from './counting-consumer';

async function main(): Promise<void> {
  const [storeKind, storeLocation, readKind, readLocation] = process.argv.slice(2);
  const store: EventStore = storeKind === 'sqlite' ? await SqliteEventStore.open(storeLocation) : await PostgresEventStore.open(storeLocation);
  const readStore = await openReadStore(
    readKind === 'sqlite' ? { kind: 'sqlite', sqliteFile: readLocation } : { kind: 'postgres', databaseUrl: readLocation },
  );
  const consumer = new CountingConsumer();
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
  await readStore.close();
  await store.close();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
