import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import type { Kysely } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, spawnTs } from '../../../../test/support/child-process';
import { newEvent } from '../../../../test/support/events';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { openReadStore, type ReadStore } from '../read-store';
import { CountingConsumer, readCounts } from '../testing/counting-consumer';
import type { CheckpointTables } from './projection-checkpoints';
import { ProjectionRunner, ProjectionStoppedError } from './projection-runner';

interface Target {
  kind: 'sqlite' | 'postgres';
  storeLocation: string;
  readLocation: string;
  openStore(): Promise<EventStore>;
  openReadStore(): Promise<ReadStore>;
  /** A fresh, empty read store on the same event store, for a clean rebuild to compare with. */
  freshReadStore(): Promise<{ readStore: ReadStore; location: string }>;
  dispose(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-runner-'));
  const storeLocation = join(dir, 'events.sqlite');
  const readLocation = join(dir, 'read.sqlite');
  let fresh = 0;
  return {
    kind: 'sqlite',
    storeLocation,
    readLocation,
    openStore: () => SqliteEventStore.open(storeLocation),
    openReadStore: () => openReadStore({ kind: 'sqlite', sqliteFile: readLocation }),
    async freshReadStore() {
      const location = join(dir, `fresh-${++fresh}.sqlite`);
      return { readStore: await openReadStore({ kind: 'sqlite', sqliteFile: location }), location };
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const events = await createTestDatabase('ledger_runner');
  const read = await createTestDatabase('ledger_runner_read');
  const fresh: TestDatabase[] = [];
  return {
    kind: 'postgres',
    storeLocation: events.url,
    readLocation: read.url,
    openStore: () => PostgresEventStore.open(events.url),
    openReadStore: () => openReadStore({ kind: 'postgres', databaseUrl: read.url }),
    async freshReadStore() {
      const database = await createTestDatabase('ledger_runner_fresh');
      fresh.push(database);
      return {
        readStore: await openReadStore({ kind: 'postgres', databaseUrl: database.url }),
        location: database.url,
      };
    },
    async dispose() {
      for (const database of [events, read, ...fresh]) await database.drop();
    },
  };
}

async function checkpointRow(readStore: ReadStore, name: string) {
  return (readStore.db as Kysely<CheckpointTables>)
    .selectFrom('projection_checkpoints')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
}

async function appendMany(store: EventStore, count: number, streams = 5): Promise<void> {
  for (let written = 0; written < count; written += 100) {
    const size = Math.min(100, count - written);
    await store.append(
      `runner-${(written / 100) % streams}`,
      Array.from({ length: size }, (_, i) => newEvent({ n: written + i })),
      'any',
    );
  }
}

/** What a projection should hold after applying every event exactly once. */
async function expectedCounts(store: EventStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const event of store.readAll()) counts[event.stream] = (counts[event.stream] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

describe.each([
  ['sqlite', sqliteTarget],
  ['postgres', postgresTarget],
])('the checkpointed projection runner on %s', (_name, makeTarget) => {
  let target: Target;
  let store: EventStore;
  let readStore: ReadStore;

  beforeEach(async () => {
    target = await makeTarget();
    store = await target.openStore();
    readStore = await target.openReadStore();
  });
  afterEach(async () => {
    await readStore.close();
    await store.close();
    await target.dispose();
  });

  it('applies every event exactly once, in large batches while catching up, and keeps the checkpoint with the writes', async () => {
    await appendMany(store, 1000);
    const consumer = new CountingConsumer();
    const runner = new ProjectionRunner({ store, readStore, consumer, maxBatchSize: 250 });
    await runner.start();
    await runner.waitFor(await store.headPosition());
    await runner.stop();

    expect(await readCounts(readStore.db)).toEqual(await expectedCounts(store));
    expect(consumer.batchSizes.length).toBeLessThan(1000 / 10);
    expect(Math.max(...consumer.batchSizes)).toBeLessThanOrEqual(250);
    const row = await checkpointRow(readStore, 'test_counts');
    expect(row?.position).toBe((await store.headPosition()).toString());
    expect(row?.error).toBeNull();
  });

  it('lets timers and requests run between batches while it catches up on a backlog', async () => {
    await appendMany(store, 10_000);
    const runner = new ProjectionRunner({ store, readStore, consumer: new CountingConsumer() });
    let timerFiredAt = Infinity;
    setTimeout(() => (timerFiredAt = Date.now()), 1);
    await runner.start();
    await runner.waitFor(await store.headPosition());
    const caughtUpAt = Date.now();
    await runner.stop();
    expect(timerFiredAt).toBeLessThan(caughtUpAt);
  });

  it('never lingers while catching up a backlog of many pages, however long its linger', async () => {
    // Once, a batch that ended at a page boundary counted as live, so every 500-event page waited out the linger.
    await appendMany(store, 2000);
    const runner = new ProjectionRunner({
      store,
      readStore,
      consumer: new CountingConsumer(),
      lingerMs: 600_000,
    });
    await runner.start();
    await runner.waitFor(await store.headPosition(), 30_000);
    await runner.stop();
    expect(await readCounts(readStore.db)).toEqual(await expectedCounts(store));
  });

  it('once live, gathers the appends of its linger into one batch', async () => {
    const consumer = new CountingConsumer();
    const runner = new ProjectionRunner({ store, readStore, consumer, lingerMs: 400 });
    await runner.start();
    // Live only once its first read is done (on PostgreSQL that waits for its LISTEN): appends before then are a backlog.
    await store.append('runner-live', [newEvent({ n: 0 })], 'any');
    await runner.waitFor(await store.headPosition(), 10_000);
    for (let i = 1; i <= 5; i++) await store.append('runner-live', [newEvent({ n: i })], 'any');
    await runner.waitFor(await store.headPosition(), 10_000);
    await runner.stop();
    expect(consumer.batchSizes).toEqual([1, 5]);
  });

  it('resumes after a restart from its checkpoint: nothing applied twice, nothing missed', async () => {
    await appendMany(store, 300);
    const first = new ProjectionRunner({ store, readStore, consumer: new CountingConsumer() });
    await first.start();
    await first.waitFor(await store.headPosition());
    await first.stop();
    await readStore.close();

    await appendMany(store, 200);
    readStore = await target.openReadStore();
    const consumer = new CountingConsumer();
    const second = new ProjectionRunner({ store, readStore, consumer });
    await second.start();
    await second.waitFor(await store.headPosition());
    await second.stop();

    expect(consumer.batchSizes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(await readCounts(readStore.db)).toEqual(await expectedCounts(store));
  });

  it('drops what only readers need when it starts from zero and restores it in the batch that reaches the head, on every start', async () => {
    await appendMany(store, 1000);
    const calls: string[] = [];
    const withHooks = () =>
      Object.assign(new CountingConsumer(), {
        async startingFromZero() {
          calls.push('startingFromZero');
        },
        // What the transaction itself sees: the checkpoint it advances, and the events it applied.
        async caughtUp(trx: Kysely<object>) {
          const checkpoint = await checkpointRow({ ...readStore, db: trx }, 'test_counts');
          const counts = await readCounts(trx);
          const applied = Object.values(counts).reduce((a, b) => a + b, 0);
          calls.push(`caughtUp at ${checkpoint?.position} with ${applied} applied`);
        },
      });
    const first = new ProjectionRunner({ store, readStore, consumer: withHooks(), maxBatchSize: 250 });
    await first.start();
    await first.waitFor(await store.headPosition());
    await appendMany(store, 100);
    await first.waitFor(await store.headPosition());
    await first.stop();
    expect(calls).toEqual(['startingFromZero', 'caughtUp at 1000 with 1000 applied']);

    // Restarted at the head: nothing to apply, restored again (a no-op for an index created IF NOT EXISTS).
    const second = new ProjectionRunner({ store, readStore, consumer: withHooks() });
    await second.start();
    await second.waitFor(await store.headPosition());
    await second.stop();
    expect(calls.slice(2)).toEqual(['caughtUp at 1100 with 1100 applied']);
  });

  it('applies events appended while it runs live, one batch per trickle', async () => {
    const consumer = new CountingConsumer();
    const runner = new ProjectionRunner({ store, readStore, consumer });
    await runner.start();
    for (let i = 0; i < 5; i++) {
      const { events } = await store.append('live', [newEvent({ i })], 'any');
      await runner.waitFor(events[0].position, 10_000);
    }
    await runner.stop();
    expect(await readCounts(readStore.db)).toEqual({ live: 5 });
  });

  it('stops at a poison event, naming it, after committing every event before it, and never skips it on restart', async () => {
    await store.append('clean', [newEvent({ n: 1 }), newEvent({ n: 2 })], 'no_stream');
    const poison = await store.append(
      'bad',
      [newEvent({ poison: true }, { type: 'DatasetRegistered' })],
      'no_stream',
    );
    await store.append('clean', [newEvent({ n: 3 })], 1);
    const [poisoned] = poison.events;

    const runner = new ProjectionRunner({ store, readStore, consumer: new CountingConsumer() });
    await runner.start();
    const failure = await runner.waitFor(await store.headPosition(), 10_000).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toContain(`projection test_counts stopped at position ${poisoned.position}`);
    expect(failure?.message).toContain(`event ${poisoned.eventId}, type DatasetRegistered`);
    expect(failure?.message).toContain('DatasetRegistered carries data this projection cannot read');

    const status = await runner.status();
    expect(status).toMatchObject({
      name: 'test_counts',
      position: poisoned.position - 1n,
      running: false,
      lagEvents: 2,
    });
    expect(status.error).toContain(poisoned.eventId);
    expect(await readCounts(readStore.db)).toEqual({ clean: 2 });
    const row = await checkpointRow(readStore, 'test_counts');
    expect(row?.position).toBe((poisoned.position - 1n).toString());
    expect(row?.error).toContain(poisoned.eventId);
    await runner.stop();

    const restarted = new ProjectionRunner({ store, readStore, consumer: new CountingConsumer() });
    await restarted.start();
    await expect(restarted.waitFor(await store.headPosition(), 10_000)).rejects.toThrow(poisoned.eventId);
    await restarted.stop();
    expect(await readCounts(readStore.db)).toEqual({ clean: 2 });
  });

  it('logs the stop as a ProjectionStoppedError carrying the event', async () => {
    const { events } = await store.append('bad', [newEvent({ poison: true })], 'no_stream');
    const errors: unknown[] = [];
    const logger = {
      info: () => undefined,
      warn: () => undefined,
      error: (details: object) => errors.push((details as { err: unknown }).err),
    };
    const runner = new ProjectionRunner({ store, readStore, consumer: new CountingConsumer(), logger });
    await runner.start();
    await runner.waitFor(events[0].position, 10_000).catch(() => undefined);
    await runner.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProjectionStoppedError);
    expect((errors[0] as ProjectionStoppedError).details).toEqual({
      projection: 'test_counts',
      position: events[0].position,
      eventId: events[0].eventId,
      type: 'TestRecorded',
      stream: 'bad',
    });
  });

  it('shows its lag in events and in seconds behind the oldest event not yet applied', async () => {
    const runner = new ProjectionRunner({
      store,
      readStore,
      consumer: new CountingConsumer(),
      clock: () => new Date(Date.now() + 90_000),
    });
    await appendMany(store, 10);
    await runner.start();
    await runner.waitFor(await store.headPosition());
    await runner.stop();
    expect(await runner.status()).toMatchObject({ lagEvents: 0, lagSeconds: 0, running: false });

    await appendMany(store, 30);
    const behind = await runner.status();
    expect(behind.lagEvents).toBe(30);
    expect(behind.lagSeconds).toBeGreaterThan(85);
    expect(behind.lagSeconds).toBeLessThan(120);
  });

  it('two processes running the same projection still apply each event once', async () => {
    await appendMany(store, 600);
    const otherReadStore = await target.openReadStore();
    const otherStore = await target.openStore();
    try {
      const a = new ProjectionRunner({
        store,
        readStore,
        consumer: new CountingConsumer(),
        maxBatchSize: 20,
        retryDelayMs: 10,
      });
      const b = new ProjectionRunner({
        store: otherStore,
        readStore: otherReadStore,
        consumer: new CountingConsumer(),
        maxBatchSize: 20,
        retryDelayMs: 10,
      });
      await Promise.all([a.start(), b.start()]);
      const head = await store.headPosition();
      await Promise.race([a.waitFor(head), b.waitFor(head)]);
      await Promise.all([a.stop(), b.stop()]);
      expect(await readCounts(readStore.db)).toEqual(await expectedCounts(store));
    } finally {
      await otherReadStore.close();
      await otherStore.close();
    }
  });

  it('killed with SIGKILL mid-run and restarted, it converges to the same result as a clean run', async () => {
    await appendMany(store, 3000, 7);
    const head = await store.headPosition();
    let kills = 0;
    for (let round = 0; round < 10; round++) {
      const child = spawnTs('libs/read-store/src/testing/run-projection-child.ts', [
        target.kind,
        target.storeLocation,
        target.kind,
        target.readLocation,
      ]);
      const reader = new LineReader(child);
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const line = await Promise.race([
        reader.waitFor((l) => l.startsWith('applying ') || l.startsWith('caught-up')),
        exited(child).then(({ code }) => {
          throw new Error(`projection child exited with ${code}:\n${stderr}`);
        }),
      ]);
      if (line.startsWith('caught-up')) {
        await exited(child);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      child.kill('SIGKILL');
      const { signal } = await exited(child);
      if (signal === 'SIGKILL') kills++;
    }
    expect(kills).toBeGreaterThan(0);

    const finisher = new ProjectionRunner({ store, readStore, consumer: new CountingConsumer() });
    await finisher.start();
    await finisher.waitFor(head, 60_000);
    await finisher.stop();

    const { readStore: clean } = await target.freshReadStore();
    try {
      const cleanRun = new ProjectionRunner({ store, readStore: clean, consumer: new CountingConsumer() });
      await cleanRun.start();
      await cleanRun.waitFor(head, 60_000);
      await cleanRun.stop();
      expect(await readCounts(readStore.db)).toEqual(await readCounts(clean.db));
      expect(await readCounts(clean.db)).toEqual(await expectedCounts(store));
    } finally {
      await clean.close();
    }
  }, 180_000);
});
