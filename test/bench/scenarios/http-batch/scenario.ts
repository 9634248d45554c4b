import { ingestLoad } from '../../lib/ingest-load';
import { progress } from '../../lib/progress';
import { ms, rate, rss, toFloor, type BenchContext, type Scenario } from '../../lib/report';

const ITEMS = 1000;
const CONNECTIONS = 4;
/** The must and goal for batched ingest, events/s. */
const TARGET = { must: 15_000, goal: 30_000 };

export const httpBatchScenario: Scenario = {
  name: 'http-batch',
  async run({ quick, dataDir, children }: BenchContext) {
    progress(`http-batch: ${CONNECTIONS} connections posting ${ITEMS}-item batches`);
    const api = await ingestLoad(children, dataDir, {
      connections: CONNECTIONS,
      itemsPerRequest: ITEMS,
      warmupSeconds: quick ? 1 : 3,
      seconds: quick ? 5 : 20,
    });
    return {
      figures: { connections: CONNECTIONS, itemsPerRequest: ITEMS, api },
      tables: [
        {
          title: `Batched HTTP ingest, SQLite synchronous=FULL, ${ITEMS}-item batches, ${CONNECTIONS} connections`,
          columns: ['events/s', 'requests/s', 'p50 ms', 'p99 ms', 'target', 'CPU µs/event', 'peak RSS MB'],
          rows: [
            [
              rate(api.eventsPerSecond),
              api.requestsPerSecond.toFixed(1),
              ms(api.p50Ms),
              ms(api.p99Ms),
              toFloor(api.eventsPerSecond, TARGET.must, rate, TARGET.goal),
              api.cpuMicrosPerEvent.toFixed(0),
              rss(api.peakRssMb),
            ],
          ],
          notes: [
            "Each item is validated, pseudonymised and hashed by the service; a batch is one append to the emitter's stream.",
            "CPU: the service process's, all its threads, per stored event, warm-up included.",
          ],
        },
      ],
    };
  },
};
