import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bearerToken } from '../../lib/cli';
import { postLoad, unauthenticatedFlood, type LoadResult } from '../../lib/load';
import { progress } from '../../lib/progress';
import { ms, rate, rss, toCeiling, type BenchContext, type Scenario } from '../../lib/report';
import type { ApiReady } from '../../lib/serve-api';
import { EMITTER, ingestItem } from '../../lib/workload';

/** Ordinary ingest: a few emitter connections posting one event each. */
const CONNECTIONS = 4;
/** The flood of issue 17: 4,000 requests in 10 s from one address, without a token. */
const FLOOD_RATE = 400;
const FLOOD_CONNECTIONS = 8;
/** The ceiling on ordinary ingest's p99 while the flood runs. */
const P99_CEILING_MS = 50;
/** "At most a handful of events" for the whole flood. */
const HANDFUL = 5;

/**
 * Ordinary ingest's latency alone, then again while a caller without a token
 * floods the same service from the same address (loopback): the per-address
 * limit answers the flood 429 before authentication, and its refusals are
 * written as a few counted events, not one each.
 */
export const floodScenario: Scenario = {
  name: 'flood',
  async run({ quick, dataDir, children }: BenchContext) {
    const seconds = quick ? 3 : 10;
    const dir = mkdtempSync(join(dataDir, 'flood-'));
    try {
      const api = await children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir: dir });
      let calm: LoadResult, flooded: LoadResult, flood: Awaited<ReturnType<typeof unauthenticatedFlood>>;
      try {
        const { url } = api.ready;
        const headers = {
          authorization: `Bearer ${await bearerToken(children, dir, 'emitter', EMITTER, ['--event-types', 'DataAccessed'])}`,
        };
        let n = 0;
        const ingest = (s: number) =>
          postLoad(url, '/v1/events', {
            connections: CONNECTIONS,
            seconds: s,
            headers,
            body: () => JSON.stringify({ events: [ingestItem(n++)] }),
          });
        progress(`flood: ${CONNECTIONS} emitter connections, ${seconds} s alone`);
        await ingest(quick ? 1 : 3);
        calm = await ingest(seconds);
        progress(`flood: the same, ${seconds} s beside ${FLOOD_RATE} unauthenticated requests/s`);
        [flooded, flood] = await Promise.all([
          ingest(seconds),
          unauthenticatedFlood(url, '/v1/events', {
            connections: FLOOD_CONNECTIONS,
            seconds,
            rate: FLOOD_RATE,
          }),
        ]);
      } catch (error) {
        await api.stop().catch(() => undefined);
        throw error;
      }
      const served = await api.stop<{ stored: number; refusalEvents: number }>();
      const { refusalEvents } = served.figures;
      const statuses = Object.entries(flood.statuses)
        .map(([status, count]) => `${rate(count)}× ${status}`)
        .join(', ');
      progress(`flood: p99 ${calm.p99Ms} ms alone, ${flooded.p99Ms} ms flooded; flood answered ${statuses}`);
      return {
        figures: {
          connections: CONNECTIONS,
          floodRate: FLOOD_RATE,
          calm,
          flooded,
          flood,
          refusalEvents,
          peakRssMb: served.peakRssMb,
        },
        tables: [
          {
            title: `Ordinary ingest beside an unauthenticated flood (${rate(flood.sent)} requests in ${seconds} s), SQLite synchronous=FULL`,
            columns: ['', 'events/s', 'p50 ms', 'p99 ms', 'p99 verdict', 'flood answered', 'refusal events'],
            rows: [
              ['alone', rate(calm.ok / calm.seconds), ms(calm.p50Ms), ms(calm.p99Ms), '', '', ''],
              [
                'flooded',
                rate(flooded.ok / flooded.seconds),
                ms(flooded.p50Ms),
                ms(flooded.p99Ms),
                toCeiling(flooded.p99Ms, P99_CEILING_MS, ms),
                statuses,
                `${refusalEvents} ${refusalEvents <= HANDFUL ? 'ok' : 'MISS'} (≤${HANDFUL})`,
              ],
            ],
            notes: [
              `ingest: ${CONNECTIONS} keep-alive connections, each request a one-item DataAccessed batch with a fresh eventId.`,
              `flood: POST /v1/events without a token at ${FLOOD_RATE}/s over ${FLOOD_CONNECTIONS} connections, from the same address`,
              '       as the emitter; LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE at its default (600).',
              'refusal events: what the whole run added to unauthenticated/ledger-self-audit (counted per caller, reason and minute).',
              `peak RSS of the service: ${rss(served.peakRssMb)}`,
            ],
          },
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
