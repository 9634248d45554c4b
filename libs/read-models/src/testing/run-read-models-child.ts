/**
 * A projector process for crash tests: runs every projection over an
 * existing log and reports its progress, until the parent kills it or it has
 * caught up with the head ("caught-up").
 */
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { projectionConsumer } from '../projection/projection';
import { PROJECTIONS } from '../projections';
import { openReadStore, ProjectionRunner } from '@ledger/read-store';

async function main(): Promise<void> {
  const [kind, events, read] = process.argv.slice(2);
  const store: EventStore =
    kind === 'sqlite' ? await SqliteEventStore.open(events) : await PostgresEventStore.open(events);
  const readStore =
    kind === 'sqlite'
      ? await openReadStore({ kind, sqliteFile: read })
      : await openReadStore({ kind: 'postgres', databaseUrl: read });
  const runners = PROJECTIONS.map(
    (d) =>
      new ProjectionRunner({ store, readStore, consumer: projectionConsumer(d as never), maxBatchSize: 10 }),
  );
  for (const runner of runners) await runner.start();
  const head = await store.headPosition();
  const timer = setInterval(async () => {
    const positions = await Promise.all(runners.map(async (r) => (await r.status()).position));
    process.stdout.write(`progress ${positions.join(',')}\n`);
  }, 20);
  await Promise.all(runners.map((r) => r.waitFor(head, 600_000)));
  clearInterval(timer);
  process.stdout.write('caught-up\n');
  await Promise.all(runners.map((r) => r.stop()));
  await readStore.close();
  await store.close();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
