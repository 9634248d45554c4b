import type { Db, Subject } from '../../lib/appenders';
import type { Service } from '../../lib/child';
import { progress } from '../../lib/progress';
import { freshPlace, type Place } from '../../lib/targets';
import { rate, rss, versusMust, type BenchContext, type Scenario } from '../../lib/report';
import type * as Measure from './measure';

const DBS: Db[] = ['sqlite', 'postgres'];
const BATCHES = [1, 100];
const SUBJECTS: Subject[] = ['ledger', 'raw', 'peer'];
/** The targets, must and goal: every row against the peer; only single appends against raw. */
const PEER_TARGET = { must: 1.0, goal: 1.5 };
const RAW_TARGET: Partial<Record<`${Db} ${number}`, { must: number; goal: number }>> = {
  'sqlite 1': { must: 0.5, goal: 0.7 },
  'postgres 1': { must: 0.3, goal: 0.7 },
};

interface Figure {
  eventsPerSecond: number;
  peakRssMb: number;
}

function rawVerdict(db: Db, batch: number, ratio: number): string {
  const target = RAW_TARGET[`${db} ${batch}`];
  return target ? versusMust(ratio, target.must, target.goal) : `${ratio.toPrecision(2)}×`;
}

export const appendScenario: Scenario = {
  name: 'append',
  async run({ quick, dataDir, children }: BenchContext) {
    const timing = quick
      ? { warmupMs: 300, sliceMs: 200, measureMs: 1600 }
      : { warmupMs: 1000, sliceMs: 250, measureMs: 10_000 };
    const results: Array<{ db: Db; batch: number } & Record<Subject, Figure>> = [];
    for (const db of DBS)
      for (const batch of BATCHES) {
        progress(`append: ${db}, batches of ${batch}: ledger, raw and peer in turn`);
        const row = { db, batch } as (typeof results)[number];
        const places: Place[] = [];
        const services: Array<[Subject, Service<unknown>]> = [];
        try {
          for (const subject of SUBJECTS) {
            const place = await freshPlace(db, dataDir);
            places.push(place);
            const params: Measure.AppendSubject = {
              subject,
              target: place.target,
              batch,
              warmupMs: timing.warmupMs,
            };
            services.push([
              subject,
              await children.service('scenarios/append/measure', 'appendSubject', params),
            ]);
          }
          for (let done = 0; done < timing.measureMs; done += timing.sliceMs)
            for (const [, service] of services)
              await service.request({ ms: timing.sliceMs } satisfies Measure.Slice);
          while (services.length > 0) {
            const [subject, service] = services[0];
            const { figures, peakRssMb } = await service.stop<{ eventsPerSecond: number }>();
            services.shift();
            row[subject] = { eventsPerSecond: figures.eventsPerSecond, peakRssMb };
            progress(
              `append ${db} ${subject} batch=${batch}: ${Math.round(figures.eventsPerSecond)} events/s`,
            );
          }
        } finally {
          // Whatever failed, no child outlives its row and no database is left behind.
          await Promise.allSettled(services.map(([, service]) => service.stop()));
          for (const place of places) await place.remove();
        }
        results.push(row);
      }
    return {
      figures: results.map((r) => ({
        ...r,
        ledgerToRaw: r.ledger.eventsPerSecond / r.raw.eventsPerSecond,
        ledgerToPeer: r.ledger.eventsPerSecond / r.peer.eventsPerSecond,
      })),
      tables: [
        {
          title: 'Durable append, one writer, events/s',
          columns: [
            'database',
            'batch',
            'ledger',
            'raw insert',
            'peer (Emmett)',
            'ledger/raw',
            'ledger/peer',
            'peak RSS MB ledger/raw/peer',
          ],
          rows: results.map((r) => [
            r.db,
            String(r.batch),
            rate(r.ledger.eventsPerSecond),
            rate(r.raw.eventsPerSecond),
            rate(r.peer.eventsPerSecond),
            rawVerdict(r.db, r.batch, r.ledger.eventsPerSecond / r.raw.eventsPerSecond),
            versusMust(r.ledger.eventsPerSecond / r.peer.eventsPerSecond, PEER_TARGET.must, PEER_TARGET.goal),
            rss(r.ledger.peakRssMb, r.raw.peakRssMb, r.peer.peakRssMb),
          ]),
          notes: [
            `Each subject: its own process and fresh store, ${timing.warmupMs} ms warm-up, then back-to-back appends to one stream for ${timing.measureMs} ms,`,
            `in ${timing.sliceMs} ms slices taken in turn with the other two subjects, so all three see the same moments of a busy machine.`,
            'Durability: SQLite WAL with synchronous=FULL for all three; PostgreSQL with its defaults (fsync on, synchronous_commit on).',
            'ledger: SqliteEventStore/PostgresEventStore.append with the expected revision, as a command handler calls it,',
            '     on the store as the service opens it (SQLite: its WAL checkpointed on a thread; raw and peer checkpoint inside commits).',
            "raw: the driver the ledger uses (better-sqlite3, pg) inserting into the ledger's own events table, one transaction per batch,",
            '     rows built with JSON.stringify and a plain SHA-256 chain (no RFC 8785, no validation, no lookups): the practical limit.',
            'peer: Emmett appendToStream (emmett-sqlite on one open connection, emmett-postgresql on its own pool).',
          ],
        },
      ],
    };
  },
};
