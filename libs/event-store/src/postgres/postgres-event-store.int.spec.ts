import { eventHash } from '@ledger/integrity';
import { randomUUID } from 'node:crypto';
import { collect, newEvent } from '../../../../test/support/events';
import { createTestDatabase, withClient, type TestDatabase } from '../../../../test/support/postgres';
import { PostgresEventStore } from './postgres-event-store';

describe('PostgresEventStore append function', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await PostgresEventStore.open(database.url);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('stores data holding the character that separates its columns, and hashes it as chainEvents does', async () => {
    const stream = `separator-${randomUUID()}`;
    const tricky = { note: 'a\u001eb', nested: ['\u001e', { '\u001e': '\u001e\u001e' }] };
    await store.append(stream, [newEvent(tricky), newEvent({ after: true })], 'no_stream');
    const stored = await collect(store.readStream(stream));
    expect(stored.map((e) => e.data)).toEqual([tricky, { after: true }]);
    for (const event of stored) expect(event.integrity.hash).toBe(eventHash(event));
  });

  it('fails only the append whose content PostgreSQL cannot store when it shares a commit with others', async () => {
    const streams = Array.from({ length: 4 }, () => `content-${randomUUID()}`);
    // jsonb has no NUL character: the server refuses this event's data, and only this append may fail for it.
    const outcomes = await Promise.allSettled(
      streams.map((stream, i) =>
        store.append(stream, [newEvent(i === 2 ? { note: 'nul \u0000 here' } : { i })], 'no_stream'),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: '22P05' });
    const stored = await Promise.all(streams.map((stream) => collect(store.readStream(stream))));
    expect(stored.map((events) => events.length)).toEqual([1, 1, 0, 1]);
    const all = await collect(store.readAll());
    // The positions the failed append would have taken went to no one: the log stays gapless.
    all.forEach((event, i) => expect(event.position).toBe(BigInt(i + 1)));
  });

  it('judges an append that resends events taken earlier in the same commit as every resend is judged', async () => {
    const stream = `resend-${randomUUID()}`;
    const events = [newEvent({ n: 1 }), newEvent({ n: 2 })];
    const [first, resent, reused, next] = await Promise.allSettled([
      store.append(stream, events, 'no_stream'),
      store.append(stream, events, 'no_stream'),
      store.append(`other-${randomUUID()}`, [{ ...events[0], data: { n: 9 } }], 'any'),
      store.append(stream, [newEvent({ n: 3 })], 1),
    ]);
    expect(first.status).toBe('fulfilled');
    const original = (first as PromiseFulfilledResult<Awaited<ReturnType<typeof store.append>>>).value;
    expect(resent).toMatchObject({
      status: 'fulfilled',
      value: { duplicate: true, events: original.events },
    });
    expect(reused).toMatchObject({ status: 'rejected', reason: { code: 'EVENT_ID_REUSED' } });
    expect(next).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 2 } });
    const stored = await collect(store.readStream(stream));
    expect(stored.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    for (const event of stored) expect(event.integrity.hash).toBe(eventHash(event));
  });
});

describe('PostgresEventStore append function, planned while the table was small', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  /**
   * The sequential scans of `events` so far, once every other connection to the database has ended: a server
   * process reports its counts as it exits, and its entry in pg_stat_activity is gone only after that.
   */
  const sequentialScans = () =>
    withClient(database.url, async (client) => {
      for (const until = Date.now() + 10_000; ; await new Promise((resolve) => setTimeout(resolve, 20))) {
        const { rows } = await client.query<{ others: string }>(
          'SELECT count(*) AS others FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        if (rows[0].others === '0') break;
        if (Date.now() > until)
          throw new Error('the store closed, but its connections to the database stayed');
      }
      const { rows } = await client.query<{ seq_scan: string }>(
        "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'events'",
      );
      return Number(rows[0].seq_scan);
    });

  it('reads events through its indexes on every append, though its plans were made when the table held one page', async () => {
    // Connections whose first append meets a table of one page keep the plans made for it.
    const first = await PostgresEventStore.open(database.url);
    await first.append(`small-${randomUUID()}`, [newEvent({ n: 0 })], 'no_stream');
    await first.close();
    const before = await sequentialScans();

    const store = await PostgresEventStore.open(database.url);
    const stream = `growing-${randomUUID()}`;
    for (let batch = 0; batch < 20; batch++)
      await store.append(
        stream,
        Array.from({ length: 50 }, (_, i) => newEvent({ n: batch * 50 + i })),
        batch === 0 ? 'no_stream' : batch * 50 - 1,
      );
    expect(await collect(store.readStream(stream))).toHaveLength(1000);
    await store.close();
    // A sequential scan here compared every stored event with every id of the group, on every append.
    expect((await sequentialScans()) - before).toBe(0);
  });
});
