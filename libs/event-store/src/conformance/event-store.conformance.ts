import { eventHash, GENESIS_HASH } from '@ledger/integrity';
import { randomUUID } from 'node:crypto';
import { collect, eventsOf, newEvent } from '../../../../test/support/events';
import { EventStoreError } from '../errors';
import type { EventStore, StoredEvent } from '../types';

export interface ConformanceTarget {
  /** A store on a fresh, empty database. */
  open(): Promise<EventStore>;
  /** Another handle on the same database, as a restarted process would get. */
  reopen(): Promise<EventStore>;
  /** Cleanup after the suite. */
  dispose(): Promise<void>;
  /** Runs raw SQL as a database administrator would, bypassing the store. */
  rawSql?(statement: string): Promise<void>;
  /** SQL stores number the log 1, 2, 3, ...; EventStoreDB's commit positions increase with gaps. Default true. */
  gaplessPositions?: boolean;
  /** Further destructive statements the dialect has (PostgreSQL's TRUNCATE skips row triggers). */
  dialectSpecificTampers?: string[];
  /** Makes appends that carry `holdMs` in their data keep their transaction open that long (PostgreSQL only). */
  holdCommitsOpen?: () => Promise<void>;
}

const codeOf = (error: unknown) => (error instanceof EventStoreError ? error.code : String(error));

async function expectCode(promise: Promise<unknown>, code: string): Promise<EventStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(codeOf(error)).toBe(code);
  return error as EventStoreError;
}

/** One suite, every adapter: the port's promises hold on each store a user can run. */
export function runEventStoreConformance(name: string, target: ConformanceTarget): void {
  const gapless = target.gaplessPositions ?? true;
  /** Positions in log order: consecutive from 1 (`fromStart`) or from the first, on gapless stores; increasing on the others. */
  const expectLogOrder = (positions: bigint[], fromStart = false) => {
    positions.forEach((p, i) => {
      if (gapless) expect(p).toBe(fromStart ? BigInt(i + 1) : positions[0] + BigInt(i));
      else if (i > 0) expect(p > positions[i - 1]).toBe(true);
    });
  };

  describe(`event store conformance: ${name}`, () => {
    let store: EventStore;
    const stream = () => `conformance-${randomUUID()}`;

    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(async () => {
      await store.close();
      await target.dispose();
    });

    describe('appending', () => {
      it('assigns gapless revisions from 0 and increasing positions, and returns them', async () => {
        const s = stream();
        const result = await store.append(
          s,
          [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 })],
          'no_stream',
        );
        expect(result.duplicate).toBe(false);
        expect(result.events.map((e) => e.revision)).toEqual([0, 1, 2]);
        expectLogOrder(result.events.map((e) => e.position));
        expect(result.nextExpectedRevision).toBe(2);
        const more = await store.append(s, [newEvent({ n: 4 })], 2);
        expect(more.events[0].revision).toBe(3);
      });

      it('stores the full envelope and stamps recordedAt with the ledger clock', async () => {
        const s = stream();
        const event = newEvent({ name: 'Sepsis predictor', sites: ['north', 'south'] });
        const before = Date.now();
        await store.append(s, [event], 'no_stream');
        const [stored] = await collect(store.readStream(s));
        expect(stored).toMatchObject({
          eventId: event.eventId,
          type: event.type,
          schemaVersion: 1,
          stream: s,
          revision: 0,
          data: event.data,
        });
        expect(stored.metadata).toMatchObject(event.metadata);
        expect(Date.parse(stored.metadata.recordedAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(typeof stored.position).toBe('bigint');
      });

      it('rejects no_stream on an existing stream with CONCURRENCY_CONFLICT naming stream, expected and actual', async () => {
        const s = stream();
        await store.append(s, [newEvent()], 'no_stream');
        const error = await expectCode(store.append(s, [newEvent()], 'no_stream'), 'CONCURRENCY_CONFLICT');
        expect(error.message).toContain(s);
        expect(error.details).toEqual({ stream: s, expectedRevision: 'no_stream', actualRevision: 0 });
      });

      it('rejects a stale exact revision, and an exact revision on a missing stream', async () => {
        const s = stream();
        await store.append(s, [newEvent(), newEvent()], 'no_stream');
        const stale = await expectCode(store.append(s, [newEvent()], 0), 'CONCURRENCY_CONFLICT');
        expect(stale.message).toMatch(/expected at revision 0 but is at revision 1/);
        const missing = await expectCode(store.append(stream(), [newEvent()], 5), 'CONCURRENCY_CONFLICT');
        expect(missing.details).toMatchObject({ expectedRevision: 5, actualRevision: null });
      });

      it("appends at 'any' whatever the stream's revision", async () => {
        const s = stream();
        await store.append(s, [newEvent()], 'any');
        const result = await store.append(s, [newEvent()], 'any');
        expect(result.events[0].revision).toBe(1);
      });

      it('refuses malformed appends before touching the log, naming the field', async () => {
        const head = await store.headPosition();
        const repeated = newEvent();
        const invalid = await expectCode(
          store.append(stream(), [repeated, { ...repeated }], 'no_stream'),
          'VALIDATION_FAILED',
        );
        expect(invalid.details).toMatchObject({ field: 'events[1].eventId' });
        await expectCode(
          store.append(stream(), [newEvent({}, { eventId: 'not-a-uuid' })], 'any'),
          'VALIDATION_FAILED',
        );
        await expectCode(store.append('', [newEvent()], 'any'), 'VALIDATION_FAILED');
        await expectCode(store.append(stream(), [], 'any'), 'VALIDATION_FAILED');
        expect(await store.headPosition()).toBe(head);
      });

      it('lets exactly one of 20 concurrent writers win each revision; the rest get CONCURRENCY_CONFLICT and the stream stays gapless', async () => {
        const s = stream();
        const writers = 20;
        const rounds = 5;
        for (let revision = -1; revision < rounds - 1; revision++) {
          const expected = revision < 0 ? ('no_stream' as const) : revision;
          const outcomes = await Promise.allSettled(
            Array.from({ length: writers }, (_, w) =>
              store.append(s, [newEvent({ writer: w, round: revision + 1 })], expected),
            ),
          );
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost.map((o) => codeOf(o.reason))).toEqual(Array(writers - 1).fill('CONCURRENCY_CONFLICT'));
        }
        const events = await collect(store.readStream(s));
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      });
    });

    describe('group commit', () => {
      it('lands every one of many concurrent appends, and one failing among them undoes none of the others', async () => {
        const taken = newEvent({ n: 0 });
        await store.append(stream(), [taken], 'no_stream');
        const streams = Array.from({ length: 50 }, () => stream());
        const outcomes = await Promise.allSettled([
          ...streams.map((s, i) =>
            store.append(s, [newEvent({ i }), newEvent({ i, second: true })], 'no_stream'),
          ),
          store.append(stream(), [{ ...taken, data: { n: 1 } }], 'any'),
        ]);
        expect(outcomes.slice(0, 50).every((o) => o.status === 'fulfilled')).toBe(true);
        expect(codeOf((outcomes[50] as PromiseRejectedResult).reason)).toBe('EVENT_ID_REUSED');
        for (const s of streams)
          expect((await collect(store.readStream(s))).map((e) => e.revision)).toEqual([0, 1]);
        const all = await collect(store.readAll());
        expectLogOrder(
          all.map((e) => e.position),
          true,
        );
      });
    });

    describe('idempotency', () => {
      it('acknowledges a repeated append as a duplicate with the original positions and stores nothing twice', async () => {
        const s = stream();
        const events = [newEvent({ n: 1 }), newEvent({ n: 2 })];
        const first = await store.append(s, events, 'no_stream');
        const head = await store.headPosition();
        const again = await store.append(s, events, 'no_stream');
        expect(again.duplicate).toBe(true);
        expect(again.events).toEqual(first.events);
        expect(await store.headPosition()).toBe(head);
        expect(await collect(store.readStream(s))).toHaveLength(2);
      });

      it('still recognises the duplicate after a restart', async () => {
        const s = stream();
        const event = newEvent({ n: 1 });
        const first = await store.append(s, [event], 'no_stream');
        const restarted = await target.reopen();
        try {
          const again = await restarted.append(s, [event], 'no_stream');
          expect(again).toMatchObject({ duplicate: true, events: first.events });
        } finally {
          await restarted.close();
        }
      });

      it('acknowledges a retry that came in another request (another correlationId) as a duplicate', async () => {
        const s = stream();
        const event = newEvent({ n: 1 });
        const first = await store.append(s, [event], 'no_stream');
        const retry = { ...event, metadata: { ...event.metadata, correlationId: randomUUID() } };
        expect(await store.append(s, [retry], 'any')).toMatchObject({
          duplicate: true,
          events: first.events,
        });
        const [stored] = await collect(store.readStream(s));
        expect(stored.metadata.correlationId).toBe(event.metadata.correlationId);
      });

      it("names no other stream when it refuses a reused eventId: the prior event may be another caller's", async () => {
        const s = stream();
        const event = newEvent({ dose: 1 });
        await store.append(s, [event], 'no_stream');
        const refused = await expectCode(
          store.append(stream(), [{ ...event, data: { dose: 2 } }], 'any'),
          'EVENT_ID_REUSED',
        );
        expect(refused.message).not.toContain(s);
        expect(JSON.stringify(refused.details)).not.toContain(s);
      });

      it('rejects the same eventId with different content, in any stream', async () => {
        const s = stream();
        const event = newEvent({ dose: 1 });
        await store.append(s, [event], 'no_stream');
        const changed = await expectCode(
          store.append(s, [{ ...event, data: { dose: 2 } }], 'any'),
          'EVENT_ID_REUSED',
        );
        expect(changed.message).toContain(event.eventId);
        await expectCode(store.append(stream(), [event], 'any'), 'EVENT_ID_REUSED');
      });

      it('answers lookups asked at once each with the stored events among its own ids, each once', async () => {
        const s = stream();
        const [a, b, c] = [newEvent({ n: 1 }), newEvent({ n: 2 }), newEvent({ n: 3 })];
        await store.append(s, [a, b, c], 'no_stream');
        const absent = newEvent().eventId;
        const many = [...Array.from({ length: 100 }, () => randomUUID()), c.eventId];
        const [first, second, none, nothing, ofMany] = await Promise.all([
          store.findByEventIds([a.eventId, absent, b.eventId, a.eventId]),
          store.findByEventIds([c.eventId, b.eventId]),
          store.findByEventIds([absent]),
          store.findByEventIds([]),
          store.findByEventIds(many),
        ]);
        const ids = (events: StoredEvent[]) => events.map((e) => e.eventId).sort();
        expect(ids(first)).toEqual([a.eventId, b.eventId].sort());
        expect(ids(second)).toEqual([b.eventId, c.eventId].sort());
        expect(none).toEqual([]);
        expect(nothing).toEqual([]);
        expect(ids(ofMany)).toEqual([c.eventId]);
        // Each caller's events are its own: one caller changing them changes nothing another holds.
        expect(first.find((e) => e.eventId === b.eventId)).not.toBe(
          second.find((e) => e.eventId === b.eventId),
        );
        expect(second.find((e) => e.eventId === c.eventId)?.data).toEqual({ n: 3 });
      });
    });

    describe('atomicity', () => {
      it('stores none of a batch when one of its events cannot be stored', async () => {
        const s = stream();
        const taken = newEvent({ n: 0 });
        await store.append(stream(), [taken], 'no_stream');
        const head = await store.headPosition();
        await expectCode(
          store.append(
            s,
            [newEvent({ n: 1 }), newEvent({ n: 2 }), { ...taken, data: { n: 3 } }],
            'no_stream',
          ),
          'EVENT_ID_REUSED',
        );
        expect(await collect(store.readStream(s))).toEqual([]);
        expect(await store.headPosition()).toBe(head);
      });
    });

    describe('reading and ordering', () => {
      it('reads a stream forwards and backwards, from a revision, with a limit', async () => {
        const s = stream();
        await store.append(
          s,
          Array.from({ length: 7 }, (_, n) => newEvent({ n })),
          'no_stream',
        );
        const revisions = async (o: Parameters<EventStore['readStream']>[1]) =>
          (await collect(store.readStream(s, o))).map((e) => e.revision);
        expect(await revisions({})).toEqual([0, 1, 2, 3, 4, 5, 6]);
        expect(await revisions({ from: 2, limit: 3 })).toEqual([2, 3, 4]);
        expect(await revisions({ direction: 'backwards' })).toEqual([6, 5, 4, 3, 2, 1, 0]);
        expect(await revisions({ direction: 'backwards', from: 4, limit: 2 })).toEqual([4, 3]);
        expect(await revisions({ from: 7 })).toEqual([]);
        expect(await collect(store.readStream(stream()))).toEqual([]);
      });

      it('reads the whole log in gapless position order, resuming strictly after a position', async () => {
        const all = await collect(store.readAll());
        expect(all.length).toBeGreaterThan(0);
        expectLogOrder(
          all.map((e) => e.position),
          true,
        );
        const tail = await collect(store.readAll({ after: all[2].position, limit: 4 }));
        expect(tail.map((e) => e.eventId)).toEqual(all.slice(3, 7).map((e) => e.eventId));
        expect(await store.headPosition()).toBe(all[all.length - 1].position);
      });

      // The SQL stores keep each event's content as text; EventStoreDB keeps none to offer.
      if (target.rawSql)
        it('reads the same log unparsed: each event with its content as the JSON text that parses to it', async () => {
          if (!store.readAllUnparsed) throw new Error('a SQL store offers readAllUnparsed');
          const all = await collect(store.readAll());
          const unparsed = await collect(store.readAllUnparsed());
          expect(
            unparsed.map(({ dataJson, metadataJson, ...event }) => ({
              ...event,
              data: JSON.parse(dataJson),
              metadata: JSON.parse(metadataJson),
            })),
          ).toEqual(all);
          const tail = await collect(store.readAllUnparsed({ after: all[2].position, limit: 4 }));
          expect(tail.map((e) => e.eventId)).toEqual(all.slice(3, 7).map((e) => e.eventId));
        });
    });

    // Stores without SQL (EventStoreDB) guard their history by retention checks and ACLs, tested with the adapter.
    if (target.rawSql)
      describe('immutability', () => {
        it.each([
          ['UPDATE', `UPDATE events SET data = '{"edited":true}' WHERE revision = 0`],
          ['DELETE', 'DELETE FROM events WHERE revision = 0'],
          ['DELETE of everything', 'DELETE FROM events'],
          ...(target.dialectSpecificTampers ?? []).map((statement) => [statement, statement]),
        ])('makes raw SQL %s on the events table fail', async (_label, statement) => {
          await store.append(stream(), [newEvent({ keep: true })], 'no_stream');
          const before = await collect(store.readAll());
          await expect(target.rawSql!(statement)).rejects.toThrow(/append-only/);
          expect(await collect(store.readAll())).toEqual(before);
        });
      });

    describe('hash chain', () => {
      it('links every stream event to its predecessor and hashes the canonical envelope', async () => {
        const s = stream();
        await store.append(s, [newEvent({ n: 1 })], 'no_stream');
        await store.append(s, [newEvent({ n: 2 }), newEvent({ n: 3 })], 0);
        await store.append(s, [newEvent({ n: 4 })], 'any');
        const events = await collect(store.readStream(s));
        let prev = GENESIS_HASH;
        for (const event of events) {
          expect(event.integrity.prevHash).toBe(prev);
          expect(event.integrity.hash).toBe(eventHash(event));
          prev = event.integrity.hash;
        }
        // The chain is per stream: another stream's appends in between do not enter it.
        const other = await collect(store.readAll());
        expect(other.filter((e) => e.stream !== s).length).toBeGreaterThan(0);
      });
    });

    describe('subscriptions', () => {
      it('catches up, goes live, and delivers every event of concurrent writers exactly once in position order', async () => {
        const start = await store.headPosition();
        const writers = 8;
        const perWriter = 40;
        if (target.holdCommitsOpen) await target.holdCommitsOpen();
        const controller = new AbortController();
        const subscriber = await target.reopen();
        const received: StoredEvent[] = [];
        const expectedCount = writers * perWriter;
        const consuming = (async () => {
          for await (const event of eventsOf(
            subscriber.subscribeAll({ after: start, signal: controller.signal }),
            controller.signal,
          )) {
            received.push(event);
            if (received.length >= expectedCount) controller.abort();
          }
        })();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            let written = 0;
            while (written < perWriter) {
              const size = Math.min(perWriter - written, 1 + ((w + written) % 4));
              // Some appends hold their transaction open (where the adapter supports it), so commits finish out of start order.
              const hold = (w + written) % 3 === 0 ? { holdMs: 5 + ((w * 7 + written) % 20) } : {};
              await store.append(
                `sub-${w}-${start}`,
                Array.from({ length: size }, (_, i) => newEvent({ writer: w, n: written + i, ...hold })),
                'any',
              );
              written += size;
            }
          }),
        );
        const timeout = setTimeout(() => controller.abort(), 20_000);
        await consuming;
        clearTimeout(timeout);
        await subscriber.close();
        const committed = await collect(store.readAll({ after: start }));
        expect(committed).toHaveLength(expectedCount);
        expect(received.map((e) => e.eventId)).toEqual(committed.map((e) => e.eventId));
        expect(new Set(received.map((e) => e.eventId)).size).toBe(expectedCount);
        received.forEach((e, i) => i > 0 && expect(e.position).toBeGreaterThan(received[i - 1].position));
      });

      it('delivers every event once, in order, to each of several subscriptions on one store, wherever each starts', async () => {
        const s = stream();
        const append = (from: number, count: number) =>
          store.append(
            s,
            Array.from({ length: count }, (_, i) => newEvent({ n: from + i })),
            'any',
          );
        await append(0, 30);
        const subscriber = await target.reopen();
        const controller = new AbortController();
        const timeout = setTimeout(() => controller.abort(), 20_000);
        const positions = async () => (await collect(store.readStream(s))).map((e) => e.position);
        /** Follows the stream from `after` until it has `wanted` of its events; resolves `got(n)` once it has n. */
        const follow = (after: bigint, wanted: number, lingerMs: number) => {
          const received: StoredEvent[] = [];
          const waiting: Array<{ n: number; resolve: () => void }> = [];
          const done = (async () => {
            for await (const event of eventsOf(
              subscriber.subscribeAll({ after, signal: controller.signal, lingerMs }),
              controller.signal,
            )) {
              if (event.stream === s) received.push(event);
              for (const w of waiting.filter((w) => received.length >= w.n)) w.resolve();
              if (received.length === wanted) break;
            }
            return received;
          })();
          const got = (n: number) =>
            received.length >= n
              ? Promise.resolve()
              : new Promise<void>((resolve) => waiting.push({ n, resolve }));
          return { done, got };
        };
        const first = await positions();
        // One subscription in the middle of the stream, slow to read on after a wake-up...
        const middle = follow(first[14], 25, 30);
        await middle.got(15);
        // ...one that starts further on, after appends the first has not read yet...
        await append(30, 10);
        const ahead = follow((await positions())[34], 5, 0);
        await ahead.got(5);
        // ...and one catching up from before the stream.
        const behind = follow(first[0] - 1n, 40, 0);
        const received = await Promise.all([middle.done, ahead.done, behind.done]);
        clearTimeout(timeout);
        await subscriber.close();
        const all = await positions();
        expect(received.map((events) => events.map((e) => e.position))).toEqual([
          all.slice(15),
          all.slice(35),
          all,
        ]);
      });

      it('resumes strictly after a checkpoint: nothing before it, nothing twice', async () => {
        const s = stream();
        await store.append(
          s,
          Array.from({ length: 5 }, (_, n) => newEvent({ n })),
          'no_stream',
        );
        const events = await collect(store.readStream(s));
        const checkpoint = events[1].position;
        const controller = new AbortController();
        const received: StoredEvent[] = [];
        for await (const event of eventsOf(
          store.subscribeAll({ after: checkpoint, signal: controller.signal }),
          controller.signal,
        )) {
          received.push(event);
          if (event.position === events[4].position) controller.abort();
        }
        expect(received.map((e) => e.eventId)).toEqual(events.slice(2).map((e) => e.eventId));
      });

      it('stops promptly when its signal aborts while waiting live', async () => {
        const controller = new AbortController();
        const head = await store.headPosition();
        setTimeout(() => controller.abort(), 50);
        const received = await collect(
          eventsOf(store.subscribeAll({ after: head, signal: controller.signal }), controller.signal),
        );
        expect(received).toEqual([]);
      });
    });

    describe('bounded memory', () => {
      it('reads a 100k-event stream with bounded heap growth', async () => {
        const gc = (globalThis as { gc?: () => void }).gc;
        if (!gc)
          throw new Error('run jest with node --expose-gc (npm test does) so heap growth can be measured');
        const s = stream();
        const payload = 'x'.repeat(1000);
        const total = 100_000;
        for (let written = 0; written < total; written += 1000)
          await store.append(
            s,
            Array.from({ length: 1000 }, (_, i) => newEvent({ n: written + i, payload })),
            'any',
          );
        gc();
        const baseline = process.memoryUsage().heapUsed;
        let peak = 0;
        let count = 0;
        for await (const event of store.readStream(s)) {
          if (event.revision !== count) throw new Error(`expected revision ${count}, got ${event.revision}`);
          count++;
          if (count % 10_000 === 0) {
            gc();
            peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
          }
        }
        expect(count).toBe(total);
        // The stream holds ~100 MB of payload; a reader that buffered it would grow by at least that.
        process.stdout.write(
          `[${name}] 100k-event stream read: peak heap growth ${(peak / 1048576).toFixed(1)} MiB\n`,
        );
        expect(peak).toBeLessThan(16 * 1048576);
      }, 300_000);
    });
  });
}
