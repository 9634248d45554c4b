/**
 * Catching up from zero, in a child of its own so its peak RSS is the
 * catch-up's: this module loads the store, the read models and the service's
 * settings, and nothing of the service besides.
 */
import { PROJECTIONS, projectionConsumer, type ReadDb } from '@ledger/read-models';
import { LedgerKeys, MerkleLog } from '@ledger/transparency-log';
import { ProjectionRunner } from '@ledger/read-store';
import { ledgerKeysOptions, loadConfig, openConfiguredReadStore, openEventStore } from '@ledger/runtime';
import { SERVICE_STORE_OPENING, serviceEnv } from './service-env';

export type Consumers = 'projections' | 'sealer';

export interface CatchUp {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * From the first event to the head, into the ledger's own read store
 * (`read.sqlite`, where the service then finds it caught up), opened as the
 * service opens both stores: every projection of the service's registry
 * (PROJECTIONS) on its own runner with the service's settings, all at once in
 * one process as ProjectionsService runs them; or the Merkle sealer as the
 * service runs it. Timed from start to the last runner at the head.
 */
export async function catchUp({
  dataDir,
  consumers,
}: {
  dataDir: string;
  consumers: Consumers;
}): Promise<CatchUp> {
  const config = loadConfig(serviceEnv(dataDir));
  const store = await openEventStore(config, SERVICE_STORE_OPENING);
  const readStore = await openConfiguredReadStore(config, SERVICE_STORE_OPENING);
  try {
    const head = await store.headPosition();
    const started = performance.now();
    if (consumers === 'projections') {
      const runners = PROJECTIONS.map(
        (definition) =>
          new ProjectionRunner({ store, readStore, consumer: projectionConsumer(definition as never) }),
      );
      for (const runner of runners) await runner.start();
      try {
        await Promise.all(runners.map((runner) => runner.waitFor(head, 3_600_000)));
      } finally {
        await Promise.all(runners.map((runner) => runner.stop()));
      }
    } else {
      const log = new MerkleLog({
        store,
        readStore,
        keys: LedgerKeys.open(ledgerKeysOptions(config)),
        origin: config.LEDGER_ORIGIN,
        checkpointEveryEvents: config.LEDGER_CHECKPOINT_EVERY_EVENTS,
        checkpointEveryMs: config.LEDGER_CHECKPOINT_EVERY_MS,
      });
      await log.start();
      try {
        await log.runner.waitFor(head, 3_600_000);
      } finally {
        await log.stop();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (consumers === 'projections') await checkProjected(readStore.db as ReadDb, Number(head));
    return { events: Number(head), seconds, eventsPerSecond: Number(head) / seconds };
  } finally {
    await readStore.close();
    await store.close();
  }
}

/** A projection that skipped events would flatter its rate: every event must be on the timeline. */
async function checkProjected(db: ReadDb, events: number): Promise<void> {
  const { rows } = await db
    .selectFrom('tl_events')
    .select((eb) => eb.fn.countAll<number>().as('rows'))
    .executeTakeFirstOrThrow();
  if (Number(rows) !== events)
    throw new Error(`the timeline projection holds ${rows} events after catching up on ${events}`);
}
