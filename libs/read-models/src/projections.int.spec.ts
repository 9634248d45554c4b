import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, spawnTs } from '../../../test/support/child-process';
import { collect } from '../../../test/support/events';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres';
import { holdingsAt } from './accountability/accountability-queries';
import { findDataAccess } from './data-access/data-access-queries';
import { projectionConsumer } from './projection/projection';
import { PROJECTIONS, type ReadDb } from './projections';
import { migrateModule, openReadStore, ProjectionRunner, type ReadStore } from '@ledger/read-store';
import { rebuildProjection } from './rebuild';
import { appendGovernanceHistory } from './testing/governance-history';
import { deferredIndexNames, dumpProjections } from './testing/projection-dump';

type Kind = 'sqlite' | 'postgres';

/** An event store and any number of read stores on real databases, all dropped afterwards. */
class Stores {
  private readonly cleanups: Array<() => Promise<void>> = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'ledger-proj-'));
  store!: EventStore;
  eventsLocation!: string;

  constructor(readonly kind: Kind) {}

  async openEvents(): Promise<EventStore> {
    if (this.kind === 'sqlite') {
      this.eventsLocation = join(this.dir, 'events.sqlite');
      this.store = await SqliteEventStore.open(this.eventsLocation);
    } else {
      const db = await this.database();
      this.eventsLocation = db.url;
      this.store = await PostgresEventStore.open(db.url);
    }
    this.cleanups.push(() => this.store.close());
    return this.store;
  }

  /** A fresh read store, and where a child process finds it. */
  async openRead(name: string): Promise<{ readStore: ReadStore; location: string }> {
    const location = this.kind === 'sqlite' ? join(this.dir, `${name}.sqlite`) : (await this.database()).url;
    const readStore =
      this.kind === 'sqlite'
        ? await openReadStore({ kind: 'sqlite', sqliteFile: location })
        : await openReadStore({ kind: 'postgres', databaseUrl: location });
    this.cleanups.unshift(() => readStore.close());
    return { readStore, location };
  }

  private async database(): Promise<TestDatabase> {
    const db = await createTestDatabase('ledger_proj');
    this.cleanups.push(() => db.drop());
    return db;
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups) await cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function buildClean(store: EventStore, readStore: ReadStore): Promise<void> {
  const runners = PROJECTIONS.map(
    (d) => new ProjectionRunner({ store, readStore, consumer: projectionConsumer(d as never) }),
  );
  for (const runner of runners) await runner.start();
  const head = await store.headPosition();
  await Promise.all(runners.map((r) => r.waitFor(head, 120_000)));
  await Promise.all(runners.map((r) => r.stop()));
}

describe.each<Kind>(['sqlite', 'postgres'])('projections (%s)', (kind) => {
  let stores: Stores;
  let clean: Record<string, unknown[]>;
  beforeAll(async () => {
    stores = new Stores(kind);
    const store = await stores.openEvents();
    await appendGovernanceHistory(store, 5_000);
    const { readStore } = await stores.openRead('clean');
    await buildClean(store, readStore);
    clean = await dumpProjections(readStore.db);
    // Dropped while catching up from zero, built in the batch that reached the head.
    expect(await deferredIndexNames(readStore)).toEqual(['da_access_patient_pseudonym']);
  }, 120_000);
  afterAll(() => stores.close());

  it('give the same read model when every event is applied twice', async () => {
    const { readStore } = await stores.openRead('twice');
    const events = await collect(stores.store.readAll());
    for (const definition of PROJECTIONS) {
      const consumer = projectionConsumer(definition as never);
      await migrateModule(readStore, consumer.name, consumer.migrations);
      for (let round = 0; round < 2; round++)
        for (let i = 0; i < events.length; i += 500)
          await readStore.inWriteTransaction((trx) => consumer.apply(trx, events.slice(i, i + 500)));
    }
    expect(await dumpProjections(readStore.db)).toEqual(clean);
    expect(clean.da_access).toHaveLength(5_000);
    expect(clean.reg_systems).toHaveLength(3);
  });

  it('killed with SIGKILL mid-run and restarted, converge to the same read model as a clean build', async () => {
    const { location } = await stores.openRead('crashed');
    let kills = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const child = spawnTs('libs/read-models/src/testing/run-read-models-child.ts', [
        kind,
        stores.eventsLocation,
        location,
      ]);
      const reader = new LineReader(child);
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const first = await reader
        .waitFor((l) => l.startsWith('progress') || l === 'caught-up', 60_000)
        .catch((e) => Promise.reject(new Error(`${e.message}\n${stderr}`)));
      if (first === 'caught-up' || attempt === 19) {
        await exited(child);
        if (reader.lines.includes('caught-up')) break;
        continue;
      }
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      if (reader.lines.includes('caught-up')) {
        await exited(child);
        break;
      }
      child.kill('SIGKILL');
      await exited(child);
      kills++;
    }
    expect(kills).toBeGreaterThan(0);
    const readStore =
      kind === 'sqlite'
        ? await openReadStore({ kind, sqliteFile: location })
        : await openReadStore({ kind: 'postgres', databaseUrl: location });
    try {
      expect(await dumpProjections(readStore.db)).toEqual(clean);
      // Killed while catching up without it, the restart still ends with it, once.
      expect(await deferredIndexNames(readStore)).toEqual(['da_access_patient_pseudonym']);
    } finally {
      await readStore.close();
    }
  }, 180_000);

  it('rebuild into fresh tables and swap them in while queries are answered and appends continue; the result equals a clean build', async () => {
    const { readStore } = await stores.openRead('live');
    const store = stores.store;
    const runners = PROJECTIONS.map(
      (d) => new ProjectionRunner({ store, readStore, consumer: projectionConsumer(d as never) }),
    );
    for (const runner of runners) await runner.start();
    await Promise.all(runners.map(async (r) => r.waitFor(await store.headPosition(), 120_000)));

    let answered = 0;
    const failures: unknown[] = [];
    let querying = true;
    const queries = (async () => {
      while (querying) {
        try {
          const page = await findDataAccess(readStore.db as ReadDb, 't1', { actor: 'dr.1' }, { first: 20 });
          await holdingsAt(readStore.db as ReadDb, 't1', ['sys-0'], new Date().toISOString());
          if (page.rows.length > 0) answered++;
        } catch (error) {
          failures.push(error);
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      const appends = appendGovernanceHistory(store, 3_000, 't2');
      for (const definition of PROJECTIONS) await rebuildProjection(store, readStore, definition as never);
      await appends;
    } finally {
      querying = false;
      await queries;
    }
    const head = await store.headPosition();
    await Promise.all(runners.map((r) => r.waitFor(head, 120_000)));
    await Promise.all(runners.map((r) => r.stop()));

    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(0);
    const { readStore: reference } = await stores.openRead('reference');
    await buildClean(store, reference);
    expect(await dumpProjections(readStore.db)).toEqual(await dumpProjections(reference.db));
    // The swapped-in generation's, under the name the live tables had, not the generation's.
    expect(await deferredIndexNames(readStore)).toEqual(['da_access_patient_pseudonym']);
  }, 240_000);
});
