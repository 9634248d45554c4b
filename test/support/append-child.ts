/**
 * A writer process for crash tests: appends batches forever and reports each
 * one before ("begin") and after ("ack") the store acknowledges it. The parent
 * kills it with SIGKILL at a moment of its choosing.
 */
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { newEvent } from './events';

async function main(): Promise<void> {
  const [kind, target, batchSizeArg] = process.argv.slice(2);
  const batchSize = Number(batchSizeArg);
  const store: EventStore =
    kind === 'sqlite' ? await SqliteEventStore.open(target) : await PostgresEventStore.open(target);
  process.stdout.write('ready\n');
  for (let batch = 0; ; batch++) {
    const id = `${process.pid}-${batch}`;
    process.stdout.write(`begin ${id}\n`);
    await store.append(
      `crash-${batch % 3}`,
      Array.from({ length: batchSize }, (_, i) => newEvent({ batch: id, i, pad: 'p'.repeat(200) })),
      'any',
    );
    process.stdout.write(`ack ${id}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
