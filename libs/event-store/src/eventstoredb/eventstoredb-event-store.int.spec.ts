import { ANY, NO_STREAM, UnavailableError } from '@eventstore/db-client';
import { eventHash, GENESIS_HASH } from '@ledger/integrity';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect, eventsOf, newEvent } from '../../../../test/support/events';
import { concurrencyConflict, EventStoreError } from '../errors';
import type { StoredEvent } from '../types';
import {
  endpointOf,
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './eventstoredb-event-store';
import { HistoryAtRiskError } from './retention-guard';
import { claimStreamOf } from './streams';
import { FakeEsdbClient } from './testing/fake-esdb-client';

const FAKED = '(client faked at its boundary)';

async function failure(promise: Promise<unknown>): Promise<EventStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EventStoreError);
  return error as EventStoreError;
}

async function openOver(fake: FakeEsdbClient, options: EventStoreDbEventStoreOptions = {}) {
  return EventStoreDbEventStore.overClient(fake, {
    endpoint: 'esdb.test:2113',
    resubscribeDelayMs: 5,
    ...options,
  });
}

describe('EventStoreDbEventStore mapping', () => {
  let fake: FakeEsdbClient;
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    fake = new FakeEsdbClient();
    store = await openOver(fake);
  });
  afterEach(() => expect(fake.forbiddenCalls).toEqual([]));

  describe('appending', () => {
    it(`sends no_stream as NO_STREAM, a revision as that BigInt, and pins 'any' to the exact revision read, never ANY ${FAKED}`, async () => {
      await store.append('sys-1', [newEvent()], 'no_stream');
      await store.append('sys-1', [newEvent()], 0);
      await store.append('sys-1', [newEvent()], 'any');
      await store.append('sys-2', [newEvent()], 'any');
      const sent = fake.appendCalls
        .filter((c) => c.stream.startsWith('sys-'))
        .map((c) => [c.stream, c.expectedRevision]);
      expect(sent).toEqual([
        ['sys-1', NO_STREAM],
        ['sys-1', 0n],
        ['sys-1', 1n],
        ['sys-2', NO_STREAM],
      ]);
      expect(fake.appendCalls.map((c) => c.expectedRevision)).not.toContain(ANY);
    });

    it(`turns the server's WrongExpectedVersion into CONCURRENCY_CONFLICT with the SQL stores' message and details ${FAKED}`, async () => {
      await store.append('sys-1', [newEvent()], 'no_stream');
      // Another writer lands between our read of the stream and our append: only the server sees the conflict.
      let raced = false;
      fake.beforeAppend = async (call) => {
        if (call.stream !== 'sys-1' || raced) return;
        raced = true;
        await fake.appendToStream(
          'sys-1',
          {
            id: newEvent().eventId,
            contentType: 'application/json',
            type: 'Other',
            data: {},
            metadata: undefined,
          },
          { expectedRevision: 0n },
        );
      };
      const error = await failure(store.append('sys-1', [newEvent()], 0));
      const sql = concurrencyConflict('sys-1', 0, 1);
      expect({ code: error.code, message: error.message, details: error.details }).toEqual({
        code: sql.code,
        message: sql.message,
        details: sql.details,
      });
      expect(error.message).toBe(
        'stream sys-1 was expected at revision 0 but is at revision 1; reload the stream and decide again',
      );
    });

    it(`answers a stale revision and no_stream on an existing stream with CONCURRENCY_CONFLICT before writing anything ${FAKED}`, async () => {
      await store.append('sys-1', [newEvent(), newEvent()], 'no_stream');
      const writes = fake.appendCalls.length;
      expect((await failure(store.append('sys-1', [newEvent()], 0))).details).toEqual({
        stream: 'sys-1',
        expectedRevision: 0,
        actualRevision: 1,
      });
      expect((await failure(store.append('sys-1', [newEvent()], 'no_stream'))).details).toEqual({
        stream: 'sys-1',
        expectedRevision: 'no_stream',
        actualRevision: 1,
      });
      expect((await failure(store.append('sys-9', [newEvent()], 3))).details).toEqual({
        stream: 'sys-9',
        expectedRevision: 3,
        actualRevision: null,
      });
      expect(fake.appendCalls.length).toBe(writes);
    });

    it(`retries an 'any' append the stream moved under, chaining it to the new last event ${FAKED}`, async () => {
      await store.append('sys-1', [newEvent()], 'no_stream');
      let raced = false;
      fake.beforeAppend = async (call) => {
        if (call.stream !== 'sys-1' || raced) return;
        raced = true;
        await store.append('sys-1', [newEvent({ by: 'other' })], 0);
      };
      const result = await store.append('sys-1', [newEvent({ by: 'us' })], 'any');
      expect(result.events[0].revision).toBe(2);
      const events = await collect(store.readStream('sys-1'));
      expect(events.map((e) => e.data)).toEqual([{}, { by: 'other' }, { by: 'us' }]);
      let prev = GENESIS_HASH;
      for (const event of events) {
        expect(event.integrity.prevHash).toBe(prev);
        expect(event.integrity.hash).toBe(eventHash(event));
        prev = event.integrity.hash;
      }
    });

    it(`lets exactly one of 20 writers racing for one revision win; the others get CONCURRENCY_CONFLICT ${FAKED}`, async () => {
      await store.append('sys-1', [newEvent()], 'no_stream');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, w) => store.append('sys-1', [newEvent({ w })], 0)),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const codes = outcomes.flatMap((o) =>
        o.status === 'rejected' ? [(o.reason as EventStoreError).code] : [],
      );
      expect(codes).toEqual(Array(19).fill('CONCURRENCY_CONFLICT'));
      expect((await collect(store.readStream('sys-1'))).map((e) => e.revision)).toEqual([0, 1]);
    });

    it(`stores the envelope in the event's metadata JSON, with the event id as the server's id and the type as its type ${FAKED}`, async () => {
      const event = newEvent({ dose: 5 });
      const clock = () => new Date('2026-03-14T09:00:01.000Z');
      const pinned = await openOver(fake, { clock });
      await pinned.append('sys-1', [event], 'no_stream');
      const [raw] = fake.streamEvents('sys-1');
      expect(raw).toMatchObject({ id: event.eventId, type: event.type, data: { dose: 5 }, isJson: true });
      const [stored] = await collect(pinned.readStream('sys-1'));
      expect(raw.metadata).toEqual({
        schemaVersion: 1,
        metadata: { ...event.metadata, recordedAt: '2026-03-14T09:00:01.000Z' },
        integrity: { prevHash: GENESIS_HASH, hash: eventHash(stored) },
      });
    });
  });

  describe('positions', () => {
    it(`keeps $all commit positions exact above 2^53, and reads strictly after one ${FAKED}`, async () => {
      const result = await store.append('sys-1', [newEvent(), newEvent(), newEvent()], 'no_stream');
      const positions = result.events.map((e) => e.position);
      expect(positions.every((p) => typeof p === 'bigint' && p > 2n ** 53n)).toBe(true);
      // Through a JSON number, some of these would collapse onto a neighbour.
      expect(positions.some((p) => BigInt(Number(p)) !== p)).toBe(true);
      expect(positions).toEqual(fake.streamEvents('sys-1').map((e) => e.position.commit));
      const after = await collect(store.readAll({ after: positions[0] }));
      expect(after.map((e) => e.position)).toEqual(positions.slice(1));
      expect(await store.headPosition()).toBe(positions[2]);
    });

    it(`reads the whole log in pages, leaving out claims and events the server wrote itself ${FAKED}`, async () => {
      const paged = await openOver(fake, { pageSize: 3 });
      const readAll = jest.spyOn(fake, 'readAll');
      for (let n = 0; n < 4; n++) {
        await paged.append(`sys-${n}`, [newEvent({ n }), newEvent({ n })], 'no_stream');
        fake.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected');
      }
      const all = await collect(paged.readAll());
      expect(all.map((e) => e.stream)).toEqual([
        'sys-0',
        'sys-0',
        'sys-1',
        'sys-1',
        'sys-2',
        'sys-2',
        'sys-3',
        'sys-3',
      ]);
      all.forEach((e, i) => i > 0 && expect(e.position).toBeGreaterThan(all[i - 1].position));
      expect(readAll.mock.calls.every(([options]) => Number(options?.maxCount) <= 3)).toBe(true);
      expect(await collect(paged.readAll({ after: all[3].position, limit: 3 }))).toEqual(all.slice(4, 7));
      // The tail of $all is a system event; the head is the newest ledger event.
      expect(await paged.headPosition()).toBe(all[7].position);
    });

    it(`reads a stream forwards and backwards across pages ${FAKED}`, async () => {
      const paged = await openOver(fake, { pageSize: 2 });
      await paged.append(
        'sys-1',
        Array.from({ length: 7 }, (_, n) => newEvent({ n })),
        'no_stream',
      );
      const revisions = async (o: Parameters<typeof paged.readStream>[1]) =>
        (await collect(paged.readStream('sys-1', o))).map((e) => e.revision);
      expect(await revisions({})).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(await revisions({ from: 2, limit: 3 })).toEqual([2, 3, 4]);
      expect(await revisions({ direction: 'backwards' })).toEqual([6, 5, 4, 3, 2, 1, 0]);
      expect(await revisions({ direction: 'backwards', from: 4, limit: 2 })).toEqual([4, 3]);
      expect(await collect(paged.readStream('missing'))).toEqual([]);
    });
  });

  describe('subscriptions', () => {
    it(`subscribes from the stored commit position with the excludeSystemEvents filter, and delivers no claims ${FAKED}`, async () => {
      const first = await store.append('sys-1', [newEvent()], 'no_stream');
      const checkpoint = first.events[0].position;
      fake.appendSystemEvent('$projections-$all', '$ProjectionUpdated');
      const second = await store.append('sys-1', [newEvent()], 0);
      const controller = new AbortController();
      const received: StoredEvent[] = [];
      const subscribe = jest.spyOn(fake, 'subscribeToAll');
      for await (const event of eventsOf(
        store.subscribeAll({ after: checkpoint, signal: controller.signal }),
        controller.signal,
      )) {
        received.push(event);
        controller.abort();
      }
      expect(received.map((e) => e.position)).toEqual([second.events[0].position]);
      expect(subscribe.mock.calls[0][0]).toMatchObject({
        fromPosition: { commit: checkpoint, prepare: checkpoint },
        filter: { filterOn: 'eventType', regex: '^[^$].*' },
      });
    });

    it(`resubscribes after a drop from the last position it delivered: nothing lost, nothing twice ${FAKED}`, async () => {
      const start = await store.headPosition();
      const controller = new AbortController();
      const received: StoredEvent[] = [];
      const appended: bigint[] = [];
      const consuming = (async () => {
        for await (const event of eventsOf(
          store.subscribeAll({ after: start, signal: controller.signal }),
          controller.signal,
        )) {
          received.push(event);
          if (received.length === 4) fake.dropSubscriptions(); // six more are already buffered in the dropped subscription
          if (received.length === 4) await new Promise((r) => setTimeout(r, 20));
          if (received.length === 15) controller.abort();
        }
      })();
      for (let n = 0; n < 10; n++)
        appended.push((await store.append('sys-1', [newEvent({ n })], 'any')).events[0].position);
      while (received.length < 4) await new Promise((r) => setTimeout(r, 5));
      for (let n = 10; n < 15; n++)
        appended.push((await store.append('sys-1', [newEvent({ n })], 'any')).events[0].position);
      await consuming;
      expect(received.map((e) => e.position)).toEqual(appended);
      expect(fake.subscribeCalls.length).toBeGreaterThanOrEqual(2);
      const resumedFrom = fake.subscribeCalls[1];
      expect(resumedFrom).toEqual({ commit: received[3].position, prepare: received[3].position });
    });

    it(`keeps resubscribing while the server is unreachable, and carries on when it answers ${FAKED}`, async () => {
      const controller = new AbortController();
      const received: StoredEvent[] = [];
      const consuming = (async () => {
        for await (const event of eventsOf(
          store.subscribeAll({ after: 0n, signal: controller.signal }),
          controller.signal,
        )) {
          received.push(event);
          if (received.length === 2) controller.abort();
        }
      })();
      await store.append('sys-1', [newEvent()], 'no_stream');
      while (received.length < 1) await new Promise((r) => setTimeout(r, 5));
      fake.unreachable = true;
      fake.dropSubscriptions();
      await new Promise((r) => setTimeout(r, 50));
      const attemptsWhileDown = fake.subscribeCalls.length;
      fake.unreachable = false;
      await store.append('sys-1', [newEvent()], 0);
      await consuming;
      expect(received.map((e) => e.revision)).toEqual([0, 1]);
      expect(attemptsWhileDown).toBeGreaterThanOrEqual(2);
    });
  });

  describe('guarding history', () => {
    it.each([
      ['$maxAge', { maxAge: 86400 }, '$maxAge=86400'],
      ['$maxCount', { maxCount: 1000 }, '$maxCount=1000'],
      ['$tb', { truncateBefore: 10 }, '$tb=10'],
    ])(
      `refuses to start when a ledger stream has %s set, naming the stream and the setting ${FAKED}`,
      async (_label, metadata, shown) => {
        await store.append('sys-1', [newEvent()], 'no_stream');
        fake.setTruncation('sys-1', metadata);
        const refusal = await failure(openOver(fake));
        expect(refusal).toBeInstanceOf(HistoryAtRiskError);
        expect(refusal.code).toBe('STORE_UNAVAILABLE');
        expect(refusal.message).toContain(`refusing to run: EventStoreDB stream sys-1 has ${shown}`);
        expect(refusal.details).toEqual({ stream: 'sys-1', settings: [shown] });
      },
    );

    it(`refuses to start when a ledger stream was deleted behind its back ${FAKED}`, async () => {
      await store.append('sys-1', [newEvent()], 'no_stream');
      fake.markDeleted('sys-1');
      expect((await failure(openOver(fake))).message).toMatch(/stream sys-1 has been deleted/);
    });

    it(`checks a stream it has not seen before its first append, and then refuses everything ${FAKED}`, async () => {
      fake.setTruncation('sys-new', { maxAge: 60 });
      const refusal = await failure(store.append('sys-new', [newEvent()], 'no_stream'));
      expect(refusal.message).toContain('sys-new has $maxAge=60');
      expect(fake.streamEvents('sys-new')).toEqual([]);
      expect((await failure(store.ping())).message).toBe(refusal.message);
      expect((await failure(store.append('sys-other', [newEvent()], 'no_stream'))).message).toBe(
        refusal.message,
      );
    });

    it(`never deletes, tombstones or sets stream metadata, and its source has no such call ${FAKED}`, async () => {
      const s = 'sys-1';
      await store.append(s, [newEvent(), newEvent()], 'no_stream');
      await store.append(s, [newEvent()], 'any');
      await collect(store.readAll());
      await store.findByEventIds([fake.streamEvents(s)[0].id]);
      expect(fake.forbiddenCalls).toEqual([]);
      const sources = readdirSync(__dirname)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
        .map((f) => readFileSync(join(__dirname, f), 'utf8'));
      expect(sources.length).toBeGreaterThan(5);
      for (const source of sources)
        expect(source).not.toMatch(
          /\.(deleteStream|tombstoneStream|setStreamMetadata)\s*\(|\$maxAge\s*:|\$maxCount\s*:|\$tb\s*:/,
        );
    });
  });

  describe('an unreachable server', () => {
    it(`opens at once, reports not reachable without the credentials, and recovers when the server answers ${FAKED}`, async () => {
      const down = new FakeEsdbClient();
      down.unreachable = true;
      const unready = await EventStoreDbEventStore.overClient(down, {
        endpoint: endpointOf('esdb://ledger:s3cret@node1:2113,node2:2113?tls=true'),
      });
      const reason = await failure(unready.ping());
      expect(reason.code).toBe('STORE_UNAVAILABLE');
      expect(reason.message).toMatch(
        /^EventStoreDB at node1:2113,node2:2113 is not reachable: .*ECONNREFUSED/,
      );
      expect(reason.message).not.toContain('s3cret');
      expect((await failure(unready.append('sys-1', [newEvent()], 'no_stream'))).code).toBe(
        'STORE_UNAVAILABLE',
      );
      down.unreachable = false;
      await expect(unready.ping()).resolves.toBeUndefined();
      await expect(unready.append('sys-1', [newEvent()], 'no_stream')).resolves.toMatchObject({
        duplicate: false,
      });
    });

    it(`says "did not answer" when the server accepts the connection but stays silent ${FAKED}`, async () => {
      const silent = new FakeEsdbClient();
      const opened = await openOver(silent, { pingTimeoutMs: 50 });
      jest.spyOn(silent, 'readAll').mockImplementation(() => {
        const { Readable } = jest.requireActual<typeof import('node:stream')>('node:stream');
        return Object.assign(new Readable({ objectMode: true, read() {} }), {
          cancel: async () => undefined,
        }) as never;
      });
      expect((await failure(opened.ping())).message).toBe(
        'EventStoreDB at esdb.test:2113 did not answer within 50 ms',
      );
    });
  });

  describe('idempotency beyond the server window', () => {
    it(`answers a resend after a restart as a duplicate with the original revisions and positions ${FAKED}`, async () => {
      const events = [newEvent({ n: 1 }), newEvent({ n: 2 })];
      const first = await store.append('sys-1', events, 'no_stream');
      const restarted = await openOver(fake);
      const again = await restarted.append('sys-1', events, 'no_stream');
      expect(again).toEqual({ ...first, duplicate: true });
      expect(await restarted.findByEventIds(events.map((e) => e.eventId))).toHaveLength(2);
      expect(fake.streamEvents('sys-1')).toHaveLength(2);
    });

    it(`refuses the same eventId with other content, in the same or another stream ${FAKED}`, async () => {
      const event = newEvent({ dose: 1 });
      await store.append('sys-1', [event], 'no_stream');
      expect((await failure(store.append('sys-1', [{ ...event, data: { dose: 2 } }], 'any'))).code).toBe(
        'EVENT_ID_REUSED',
      );
      expect((await failure(store.append('sys-2', [event], 'any'))).code).toBe('EVENT_ID_REUSED');
      expect(fake.streamEvents('sys-2')).toEqual([]);
    });

    it(`crash after claiming, before appending: a resend to the same stream takes the claim over and stores the event once ${FAKED}`, async () => {
      const event = newEvent({ n: 1 });
      fake.beforeAppend = (call) => {
        if (call.stream === 'sys-1') throw new UnavailableError(undefined, 'connection lost');
      };
      expect((await failure(store.append('sys-1', [event], 'any'))).code).toBe('STORE_UNAVAILABLE');
      expect(fake.streamEvents(claimStreamOf(event.eventId)).map((e) => e.type)).toEqual([
        'LedgerEventIdClaimed',
      ]);
      fake.beforeAppend = undefined;
      const resent = await store.append('sys-1', [event], 'any');
      expect(resent.duplicate).toBe(false);
      expect((await store.append('sys-1', [event], 'any')).duplicate).toBe(true);
      expect(fake.streamEvents('sys-1').map((e) => e.id)).toEqual([event.eventId]);
    });

    it(`crash after claiming: the id is refused in another stream while the first append could still land, and free once it cannot ${FAKED}`, async () => {
      const event = newEvent({ n: 1 });
      await store.append('sys-1', [newEvent()], 'no_stream');
      fake.beforeAppend = (call) => {
        if (call.stream === 'sys-1') throw new UnavailableError(undefined, 'connection lost');
      };
      await failure(store.append('sys-1', [event], 0));
      fake.beforeAppend = undefined;
      const held = await failure(store.append('sys-2', [event], 'any'));
      expect(held.code).toBe('EVENT_ID_REUSED');
      expect(held.message).toContain(
        'is claimed by an append to stream sys-1 (revision 1) whose outcome is not settled',
      );
      await store.append('sys-1', [newEvent()], 0); // sys-1 moves on: the first append can never land now
      await expect(store.append('sys-2', [event], 'any')).resolves.toMatchObject({ duplicate: false });
      expect(await store.findByEventIds([event.eventId])).toMatchObject([{ stream: 'sys-2' }]);
    });

    it(`append landed but its acknowledgement was lost: the resend is a duplicate with the stored position ${FAKED}`, async () => {
      const event = newEvent({ n: 1 });
      fake.afterAppend = (call) => {
        if (call.stream === 'sys-1') throw new UnavailableError(undefined, 'connection lost');
      };
      await failure(store.append('sys-1', [event], 'no_stream'));
      fake.afterAppend = undefined;
      const resent = await store.append('sys-1', [event], 'no_stream');
      expect(resent).toMatchObject({
        duplicate: true,
        events: [
          { eventId: event.eventId, revision: 0, position: fake.streamEvents('sys-1')[0].position.commit },
        ],
      });
    });

    it(`append in flight while a resend takes over: one write lands, both callers are told where ${FAKED}`, async () => {
      const event = newEvent({ n: 1 });
      let release!: () => void;
      const inFlight = new Promise<void>((resolve) => (release = resolve));
      let held = false;
      fake.beforeAppend = async (call) => {
        if (call.stream !== 'sys-1' || held) return;
        held = true;
        await inFlight; // the first append waits on the wire while the resend overtakes it
      };
      const slow = store.append('sys-1', [event], 'no_stream');
      while (!held) await new Promise((r) => setTimeout(r, 1));
      const later = await openOver(fake, { clock: () => new Date('2030-01-01T00:00:00Z') });
      const resend = await later.append('sys-1', [event], 'no_stream');
      release();
      const original = await slow;
      expect(fake.streamEvents('sys-1').map((e) => e.id)).toEqual([event.eventId]);
      expect(resend.duplicate).toBe(false);
      // The server took the slow write as a repeat of the resend; the slow caller is told what is stored, not what it computed.
      expect(original).toEqual({ ...resend, duplicate: true });
    });

    it(`two resends racing after a crash store the event once ${FAKED}`, async () => {
      const event = newEvent({ n: 1 });
      fake.beforeAppend = (call) => {
        if (call.stream === 'sys-1') throw new UnavailableError(undefined, 'connection lost');
      };
      await failure(store.append('sys-1', [event], 'any'));
      fake.beforeAppend = undefined;
      const [a, b] = await Promise.all([
        store.append('sys-1', [event], 'any'),
        (await openOver(fake)).append('sys-1', [event], 'any'),
      ]);
      expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
      expect(a.events).toEqual(b.events);
      expect(fake.streamEvents('sys-1').map((e) => e.id)).toEqual([event.eventId]);
    });

    it(`an append refused before sending releases its claims, so the ids stay free ${FAKED}`, async () => {
      const taken = newEvent({ n: 0 });
      await store.append('sys-0', [taken], 'no_stream');
      const [e1, e2] = [newEvent({ n: 1 }), newEvent({ n: 2 })];
      expect(
        (await failure(store.append('sys-1', [e1, e2, { ...taken, data: { n: 3 } }], 'no_stream'))).code,
      ).toBe('EVENT_ID_REUSED');
      expect(fake.streamEvents('sys-1')).toEqual([]);
      expect(fake.streamEvents(claimStreamOf(e1.eventId)).map((e) => e.type)).toEqual([
        'LedgerEventIdClaimed',
        'LedgerEventIdReleased',
      ]);
      await expect(store.append('sys-2', [e1, e2], 'no_stream')).resolves.toMatchObject({ duplicate: false });
    });
  });
});
