import { eventHash } from '@ledger/integrity';
import { randomUUID } from 'node:crypto';
import { collect, newEvent } from '../../../../test/support/events';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres';
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
});
