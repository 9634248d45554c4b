import type { Service } from '../../lib/child';
import { progress } from '../../lib/progress';
import { ms, rate, rss, type BenchContext, type Scenario } from '../../lib/report';
import { freshPlace, type Place } from '../../lib/targets';
import type * as Measure from './measure';

const WRITERS = 16;
const SUBJECTS = ['ledger', 'raw'] as const;

export const concurrentWritersScenario: Scenario = {
  name: 'concurrent-writers',
  async run({ quick, dataDir, children }: BenchContext) {
    const timing = quick
      ? { warmupMs: 300, sliceMs: 200, measureMs: 1600 }
      : { warmupMs: 1000, sliceMs: 250, measureMs: 10_000 };
    progress(
      `concurrent-writers: ${WRITERS} writers on distinct streams of one PostgreSQL store, ledger and raw in turn`,
    );
    const figures = {} as Record<
      (typeof SUBJECTS)[number],
      { figures: Measure.WritersFigures; peakRssMb: number }
    >;
    const places: Place[] = [];
    const services: Array<[(typeof SUBJECTS)[number], Service<unknown>]> = [];
    try {
      for (const subject of SUBJECTS) {
        const place = await freshPlace('postgres', dataDir);
        places.push(place);
        if (place.target.db !== 'postgres') throw new Error('concurrent-writers needs a PostgreSQL place');
        const params: Measure.WritersSubject = {
          subject,
          url: place.target.url,
          writers: WRITERS,
          warmupMs: timing.warmupMs,
        };
        services.push([
          subject,
          await children.service('scenarios/concurrent-writers/measure', 'writersSubject', params),
        ]);
      }
      for (let done = 0; done < timing.measureMs; done += timing.sliceMs)
        for (const [, service] of services)
          await service.request({ ms: timing.sliceMs } satisfies Measure.Slice);
      while (services.length > 0) {
        const [subject, service] = services[0];
        figures[subject] = await service.stop<Measure.WritersFigures>();
        services.shift();
        progress(
          `concurrent-writers ${subject}: ${Math.round(figures[subject].figures.eventsPerSecond)} events/s, p99 ${ms(figures[subject].figures.p99Ms)} ms`,
        );
      }
    } finally {
      await Promise.allSettled(services.map(([, service]) => service.stop()));
      for (const place of places) await place.remove();
    }
    const { ledger, raw } = figures;
    const ratio = ledger.figures.eventsPerSecond / raw.figures.eventsPerSecond;
    return {
      figures: { writers: WRITERS, ledger, raw, ledgerToRaw: ratio },
      tables: [
        {
          title: `Concurrent writers on PostgreSQL: ${WRITERS} writers, one event per append, each on its own stream`,
          columns: ['subject', 'events/s', 'p50 ms', 'p99 ms', 'ledger/raw', 'peak RSS MB'],
          rows: [
            [
              'ledger',
              rate(ledger.figures.eventsPerSecond),
              ms(ledger.figures.p50Ms),
              ms(ledger.figures.p99Ms),
              `${ratio.toPrecision(2)}×`,
              rss(ledger.peakRssMb),
            ],
            [
              'raw insert',
              rate(raw.figures.eventsPerSecond),
              ms(raw.figures.p50Ms),
              ms(raw.figures.p99Ms),
              '',
              `${Math.round(raw.peakRssMb)}`,
            ],
          ],
          notes: [
            `Each subject: its own process and fresh database, ${timing.warmupMs} ms warm-up, then ${WRITERS} writers appending back to back for ${timing.measureMs} ms,`,
            `in ${timing.sliceMs} ms slices taken in turn with the other subject. Latency: one append, from the call to its acknowledgement.`,
            'ledger: one PostgresEventStore shared by every writer (as one service process holds it), each append naming its expected revision;',
            '        concurrent appends share a commit (group commit) and one call to the append function.',
            `raw: a connection per writer, each a one-row INSERT committed on its own, positions counted in memory (no lock, no checks);`,
            '     PostgreSQL flushes concurrent commits together. Durability as in the append table: fsync on, synchronous_commit on.',
            'The issue sets no target for this row: it shows what a store-wide lock costs when many write at once.',
          ],
        },
      ],
    };
  },
};
