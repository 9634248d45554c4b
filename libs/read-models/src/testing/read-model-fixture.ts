import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
import { projectionConsumer } from '../projection/projection';
import { PROJECTIONS, type ReadDb } from '../projections';
import { openReadStore, ProjectionRunner, type ReadStore } from '@ledger/read-store';

export type FixtureKind = 'sqlite' | 'postgres';

/**
 * A real event store and read store with the API's projections running over
 * them. Events are appended as given, with the timestamps a test chooses, so
 * read-model rules can be checked at exact instants and over histories the
 * deciders would refuse to produce today.
 */
export class ReadModelFixture {
  private runners: ProjectionRunner[] = [];

  private constructor(
    readonly store: EventStore,
    readonly readStore: ReadStore,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async open(kind: FixtureKind): Promise<ReadModelFixture> {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-read-'));
      const store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
      const readStore = await openReadStore({ kind: 'sqlite', sqliteFile: join(dir, 'read.sqlite') });
      return new ReadModelFixture(store, readStore, async () =>
        rmSync(dir, { recursive: true, force: true }),
      );
    }
    const database: TestDatabase = await createTestDatabase('ledger_read');
    const store = await PostgresEventStore.open(database.url);
    const readStore = await openReadStore({ kind: 'postgres', databaseUrl: database.url });
    return new ReadModelFixture(store, readStore, () => database.drop());
  }

  get db(): ReadDb {
    return this.readStore.db as ReadDb;
  }

  async emit(
    stream: string,
    type: string,
    data: Record<string, unknown>,
    occurredAt: string,
    tenantId = 't1',
    schemaVersion = 1,
  ): Promise<string> {
    const eventId = randomUUID();
    await this.store.append(
      `${tenantId}/${stream}`,
      [
        {
          eventId,
          type,
          schemaVersion,
          data,
          metadata: {
            tenantId,
            actor: { id: 'fixture', role: 'governance-admin' },
            source: 'fixture',
            occurredAt,
            correlationId: eventId,
            causationId: eventId,
          },
        },
      ],
      'any',
    );
    return eventId;
  }

  /** Applies everything appended so far to every projection. */
  async catchUp(): Promise<void> {
    if (this.runners.length === 0) {
      this.runners = PROJECTIONS.map(
        (definition) =>
          new ProjectionRunner({
            store: this.store,
            readStore: this.readStore,
            consumer: projectionConsumer(definition as never),
          }),
      );
      for (const runner of this.runners) await runner.start();
    }
    const head = await this.store.headPosition();
    await Promise.all(this.runners.map((r) => r.waitFor(head)));
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.readStore.close();
    await this.store.close();
    await this.cleanup();
  }
}
