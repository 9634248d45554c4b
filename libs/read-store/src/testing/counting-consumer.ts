import type { StoredEvent } from '@ledger/event-store';
import { type Kysely, sql } from 'kysely';
import type { Consumer } from '../runner/projection-runner';

export interface CountsTable {
  stream: string;
  events: number;
  last_position: string;
}

export interface CountingTables {
  test_counts: CountsTable;
}

/**
 * A deliberately non-idempotent projection for runner tests: it adds one per
 * event, so an event applied twice (or lost) shows in the counts. An event
 * whose data holds `poison: true` cannot be applied.
 */
export class CountingConsumer implements Consumer<CountingTables> {
  readonly migrations = {
    '0001_test_counts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('test_counts')
          .addColumn('stream', 'text', (c) => c.primaryKey())
          .addColumn('events', 'integer', (c) => c.notNull())
          .addColumn('last_position', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
  /** The size of every batch applied, committed or not. */
  readonly batchSizes: number[] = [];

  constructor(readonly name = 'test_counts') {}

  async apply(trx: Kysely<CountingTables>, events: readonly StoredEvent[]): Promise<void> {
    this.batchSizes.push(events.length);
    for (const event of events) {
      if ((event.data as { poison?: boolean }).poison)
        throw new Error(`${event.type} carries data this projection cannot read`);
      await trx
        .insertInto('test_counts')
        .values({ stream: event.stream, events: 1, last_position: event.position.toString() })
        .onConflict((oc) =>
          oc
            .column('stream')
            .doUpdateSet({ events: sql`test_counts.events + 1`, last_position: event.position.toString() }),
        )
        .execute();
    }
  }
}

export async function readCounts(db: Kysely<object>): Promise<Record<string, number>> {
  const rows = await (db as Kysely<CountingTables>)
    .selectFrom('test_counts')
    .select(['stream', 'events'])
    .orderBy('stream')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.stream, Number(r.events)]));
}
