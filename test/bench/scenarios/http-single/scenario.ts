import { ingestLoad, type IngestFigures } from '../../lib/ingest-load';
import { progress } from '../../lib/progress';
import { ms, rate, rss, toCeiling, versusMust, type BenchContext, type Scenario } from '../../lib/report';
import { freshPlace } from '../../lib/targets';
import type * as AppendMeasure from '../append/measure';

const CONNECTIONS = 64;
/**
 * The must and goal for API events/s over raw single durable commits, and its p99 ceiling: many concurrent
 * single-event requests must share durable commits (group commit) to beat one commit per event.
 */
const TARGET = { must: 1, goal: 3, p99Ms: 50 };

export const httpSingleScenario: Scenario = {
  name: 'http-single',
  async run({ quick, dataDir, children }: BenchContext) {
    const rawSliceMs = quick ? 1000 : 4000;
    progress('http-single: raw single-row durable commits on SQLite, before and after the HTTP load');
    const place = await freshPlace('sqlite', dataDir);
    try {
      const rawService = await children.service('scenarios/append/measure', 'appendSubject', {
        subject: 'raw',
        target: place.target,
        batch: 1,
        warmupMs: 300,
      } satisfies AppendMeasure.AppendSubject);
      let api: IngestFigures;
      try {
        // The raw figure brackets the HTTP run, so both see the same stretch of the machine's life.
        await rawService.request({ ms: rawSliceMs } satisfies AppendMeasure.Slice);
        progress(`http-single: ${CONNECTIONS} connections posting one event each`);
        api = await ingestLoad(children, dataDir, {
          connections: CONNECTIONS,
          itemsPerRequest: 1,
          warmupSeconds: quick ? 1 : 3,
          seconds: quick ? 5 : 20,
        });
        await rawService.request({ ms: rawSliceMs } satisfies AppendMeasure.Slice);
      } catch (error) {
        await rawService.stop().catch(() => undefined);
        throw error;
      }
      const raw = await rawService.stop<{ eventsPerSecond: number }>();
      const ratio = api.eventsPerSecond / raw.figures.eventsPerSecond;
      return {
        figures: {
          connections: CONNECTIONS,
          api,
          rawCommitsPerSecond: raw.figures.eventsPerSecond,
          rawPeakRssMb: raw.peakRssMb,
          apiToRaw: ratio,
        },
        tables: [
          {
            title: `Concurrent single-event HTTP ingest, SQLite synchronous=FULL, ${CONNECTIONS} connections`,
            columns: [
              'events/s',
              'p50 ms',
              'p99 ms',
              'p99 target',
              'raw durable commits/s',
              'API/raw',
              'CPU µs/event',
              'peak RSS MB API/raw',
            ],
            rows: [
              [
                rate(api.eventsPerSecond),
                ms(api.p50Ms),
                ms(api.p99Ms),
                toCeiling(api.p99Ms, TARGET.p99Ms, String),
                rate(raw.figures.eventsPerSecond),
                versusMust(ratio, TARGET.must, TARGET.goal),
                api.cpuMicrosPerEvent.toFixed(0),
                rss(api.peakRssMb, raw.peakRssMb),
              ],
            ],
            notes: [
              'API: the service in its own process (startLedgerApi: ingest, projections and sealer), autocannon in the runner,',
              "     each request a one-item DataAccessed batch with a fresh eventId; CPU: the service process's, per stored event.",
              'raw: better-sqlite3 committing one row per transaction into the ledger table, back to back, in the same mode, just before and just after.',
            ],
          },
        ],
      };
    } finally {
      await place.remove();
    }
  },
};
