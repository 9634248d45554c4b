import { commitmentAt, ERASED, eventHash, type ErasableField } from '@ledger/integrity';
import { randomUUID } from 'node:crypto';
import { collect, eventsOf, newEvent } from '../../../../test/support/events';
import { hashedEnvelopeOf } from '../sealing';
import type { ErasableFieldsOf, EventStore, StoredEvent } from '../types';

export interface ErasableValuesTarget {
  /** A store on a fresh database, sealing the places `erasableFields` names; `plain` opens one on the same database that does not. */
  open(erasableFields: ErasableFieldsOf): Promise<EventStore>;
  plain(): Promise<EventStore>;
  /** A store on the same database, sealing as `open` does: its migrations run again. */
  reopen(erasableFields: ErasableFieldsOf): Promise<EventStore>;
  rawSql(statement: string): Promise<void>;
  dispose(): Promise<void>;
}

/** The test schema: the actor and `data.name` are erasable, `data.note` is not. */
const fields: ErasableFieldsOf = (event) => {
  const found: ErasableField[] = [{ pointer: '/metadata/actor/id', kind: 'person' }];
  if ((event.data as { name?: unknown }).name !== undefined)
    found.push({ pointer: '/data/name', kind: 'text' });
  return found;
};

const verifies = (event: StoredEvent) =>
  expect(eventHash(hashedEnvelopeOf(event))).toBe(event.integrity.hash);

/** Scheme 2 on every store that keeps values beside its events: sealed as hashed, opened as read, erasable without changing a hash. */
export function runErasableValuesConformance(name: string, target: ErasableValuesTarget): void {
  describe(`erasable values conformance: ${name}`, () => {
    let store: EventStore;
    const stream = () => `erasable-${randomUUID()}`;

    beforeAll(async () => {
      store = await target.open(fields);
    });
    afterAll(async () => {
      await store.close();
      await target.dispose();
    });

    it('hashes commitments and reads the values back on every read path', async () => {
      const s = stream();
      const event = newEvent({ name: 'Dr Ada Lovelace', note: 'kept' });
      const { events } = await store.append(s, [event], 'no_stream');
      const reads = [
        ...(await collect(store.readStream(s))),
        ...(await store.findByEventIds([event.eventId])),
        ...(await collect(store.readAll({ after: events[0].position - 1n, limit: 1 }))),
      ];
      const controller = new AbortController();
      for await (const e of eventsOf(
        store.subscribeAll({ after: events[0].position - 1n, signal: controller.signal }),
      )) {
        reads.push(e);
        controller.abort();
      }
      expect(reads).toHaveLength(4);
      for (const read of reads) {
        expect(read.data).toEqual(event.data);
        expect(read.metadata.actor).toEqual(event.metadata.actor);
        expect(read.integrity).toMatchObject({ hashScheme: 2, hash: events[0].hash });
        // What the hash covers holds no value, only a commitment to it.
        expect(JSON.stringify([read.sealed!.data, read.sealed!.metadata])).not.toMatch(
          /Ada Lovelace|svc\.tests/,
        );
        expect(commitmentAt(read.sealed!, '/data/name')).toMatch(/^[0-9a-f]{64}$/);
        expect(read.sealed!.values['/data/name']).toMatchObject({ kind: 'text', value: 'Dr Ada Lovelace' });
        verifies(read);
      }
    });

    it('erases a value: reads show [erased], the hash and the other values stay', async () => {
      const s = stream();
      const event = newEvent({ name: 'Dr Bob', note: 'kept' });
      const [appended] = (await store.append(s, [event], 'no_stream')).events;
      expect(await store.eraseValues!([{ eventId: event.eventId, pointers: ['/data/name'] }])).toBe(1);
      const [read] = await collect(store.readStream(s));
      expect(read.data).toEqual({ name: ERASED, note: 'kept' });
      expect(read.metadata.actor.id).toBe('svc.tests');
      expect(read.sealed!.values['/data/name']).toEqual({ kind: 'text' });
      expect(read.integrity.hash).toBe(appended.hash);
      verifies(read);
      // Erasing what is gone erases nothing.
      expect(await store.eraseValues!([{ eventId: event.eventId, pointers: ['/data/name'] }])).toBe(0);
    });

    it('shows a subscription that read an event before its erasure [erased] when it reads it again', async () => {
      const s = stream();
      const event = newEvent({ name: 'Dr Fay' });
      const [appended] = (await store.append(s, [event], 'no_stream')).events;
      const firstRead = async () => {
        const controller = new AbortController();
        for await (const e of eventsOf(
          store.subscribeAll({ after: appended.position - 1n, signal: controller.signal }),
        )) {
          controller.abort();
          return e;
        }
        throw new Error('the subscription delivered nothing');
      };
      expect((await firstRead()).data).toEqual({ name: 'Dr Fay' });
      await store.eraseValues!([{ eventId: event.eventId, pointers: ['/data/name'] }]);
      // A projection rebuilt after an erasure reads through the same subscription path.
      expect((await firstRead()).data).toEqual({ name: ERASED });
    });

    it('acknowledges a resend as a duplicate, though each append salts afresh', async () => {
      const s = stream();
      const event = newEvent({ name: 'Dr Cy' });
      const first = await store.append(s, [event], 'no_stream');
      const again = await store.append(s, [event], 'any');
      expect(again.duplicate).toBe(true);
      expect(again.events).toEqual(first.events);
    });

    it('refuses to delete the row that says an event had values', async () => {
      const s = stream();
      await store.append(s, [newEvent({ name: 'Dr Di' })], 'no_stream');
      await expect(target.rawSql('DELETE FROM event_values')).rejects.toThrow(/event_values/);
    });

    it('reads events hashed under scheme 1 as they were stored', async () => {
      const plain = await target.plain();
      try {
        const s = stream();
        const event = newEvent({ name: 'Dr Eve' });
        await plain.append(s, [event], 'no_stream');
        const [read] = await collect(store.readStream(s));
        expect(read.integrity.hashScheme).toBeUndefined();
        expect(read.sealed).toBeUndefined();
        expect(read.data).toEqual(event.data);
        verifies(read);
      } finally {
        await plain.close();
      }
    });

    it('keeps the values of a ledger written before they were keyed by position (migration 0005)', async () => {
      const s = stream();
      const events = [newEvent({ name: 'Dr Gus' }), newEvent({ name: 'Dr Hal', note: 'kept' })];
      const appended = (await store.append(s, events, 'no_stream')).events;
      await store.close();
      // The layout of migration 0004, values keyed by event id alone, with 0005 and every later one not yet run.
      await target.rawSql(`
        CREATE TABLE event_values_0004 AS SELECT event_id, erasable FROM event_values;
        DROP TABLE event_values;
        ALTER TABLE event_values_0004 RENAME TO event_values;
        DELETE FROM ledger_migrations WHERE name >= '0005_values_by_position';`);
      store = await target.reopen(fields);

      const read = await collect(store.readStream(s));
      expect(read.map((e) => e.data)).toEqual(events.map((e) => e.data));
      read.forEach((e, i) => {
        expect(e.integrity.hash).toBe(appended[i].hash);
        verifies(e);
      });
      expect(await store.eraseValues!([{ eventId: events[0].eventId, pointers: ['/data/name'] }])).toBe(1);
      expect((await store.findByEventIds([events[0].eventId]))[0].data).toEqual({ name: ERASED });
      const later = newEvent({ name: 'Dr Ivy' });
      await store.append(s, [later], appended[1].revision);
      expect((await store.findByEventIds([later.eventId]))[0].data).toEqual({ name: 'Dr Ivy' });
      await expect(target.rawSql('DELETE FROM event_values')).rejects.toThrow(/event_values/);
    });
  });
}
