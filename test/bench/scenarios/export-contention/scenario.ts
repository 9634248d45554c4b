import { bearerToken } from '../../lib/cli';
import { largeLedger } from '../../lib/large-ledger';
import { postLoad, type LoadResult } from '../../lib/load';
import { progress } from '../../lib/progress';
import { ms, rate, rss, type BenchContext, type Scenario } from '../../lib/report';
import { caughtUp, type ApiReady } from '../../lib/serve-api';

/** A few auditors clicking through the console, not a load test: the figure is the latency one of them sees. */
const CONNECTIONS = 2;
/** Two auditors exporting back to back: the service's default cap on exports at once (LEDGER_EXPORTS_CONCURRENT). */
const EXPORTERS = 2;

interface Exporting {
  /** Exports answered while the load ran, and how long each took. */
  seconds: number[];
  stop(): Promise<void>;
}

/** Each exporter asks for the next bundle as soon as its last one is made, until stopped; any refusal fails the run. */
function startExporters(url: string, tokens: string[], systemId: string): Exporting {
  let stopping = false;
  const seconds: number[] = [];
  const loops = tokens.map(async (token) => {
    while (!stopping) {
      const started = performance.now();
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: 'mutation($s: ID!) { exportEvidenceBundle(systemId: $s) { exportId events } }',
          variables: { s: systemId },
        }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (body.errors) throw new Error(`export answered ${JSON.stringify(body.errors).slice(0, 500)}`);
      seconds.push((performance.now() - started) / 1000);
    }
  });
  return {
    seconds,
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/**
 * A normal query's latency on the large ledger, alone and then while
 * evidence exports of a whole system run back to back beside it, in the same
 * service: what an auditor at the console notices when a regulator's bundle
 * is being made.
 */
export const exportContentionScenario: Scenario = {
  name: 'export-contention',
  async run(ctx: BenchContext) {
    const ledger = await largeLedger(ctx);
    const timing = ctx.quick ? { warmupSeconds: 1, seconds: 5 } : { warmupSeconds: 3, seconds: 15 };
    const { systems, rollback } = ledger.governance;
    const headers = {
      authorization: `Bearer ${await bearerToken(ctx.children, ledger.dir, 'auditor', 'auditor.amy')}`,
    };
    const exporterTokens = await Promise.all(
      Array.from({ length: EXPORTERS }, (_, i) =>
        bearerToken(ctx.children, ledger.dir, 'auditor', `auditor.exporter${i}`),
      ),
    );
    const query = JSON.stringify({
      query:
        'query($s: ID!) { accountability(systemId: $s) { liveVersion vacantRequiredRoles holdings { role holder accepted } } }',
      variables: { s: rollback.systemId },
    });

    const api = await ctx.children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir: ledger.dir });
    let alone: LoadResult;
    let contended: LoadResult;
    let exports: number[];
    try {
      await caughtUp(api.ready.url, 60_000);
      const drive = (seconds: number) =>
        postLoad(api.ready.url, '/graphql', {
          connections: CONNECTIONS,
          seconds,
          headers,
          body: () => query,
        });
      progress(`export-contention: accountability alone, ${CONNECTIONS} connections, ${timing.seconds} s`);
      await drive(timing.warmupSeconds);
      alone = await drive(timing.seconds);
      progress(`export-contention: the same while ${EXPORTERS} auditors export ${systems[0]} back to back`);
      const exporting = startExporters(api.ready.url, exporterTokens, systems[0]);
      // The exports' first page is being written before the measured window opens.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try {
        contended = await drive(timing.seconds);
      } finally {
        await exporting.stop();
      }
      exports = exporting.seconds;
    } catch (error) {
      await api.stop().catch(() => undefined);
      throw error;
    }
    const { peakRssMb } = await api.stop();

    // The load tool's latencies are whole milliseconds: a query alone may take 0, and no ratio is measured then.
    const ratioOf = (whileExporting: number, aloneMs: number) =>
      aloneMs > 0 ? whileExporting / aloneMs : undefined;
    const ratio = { p50: ratioOf(contended.p50Ms, alone.p50Ms), p99: ratioOf(contended.p99Ms, alone.p99Ms) };
    const times = (r: number | undefined) => (r === undefined ? '— (alone <1 ms)' : `${r.toFixed(1)}×`);
    const meanExportSeconds = exports.reduce((a, b) => a + b, 0) / Math.max(exports.length, 1);
    progress(
      `export-contention: p50 ${alone.p50Ms} → ${contended.p50Ms} ms, p99 ${alone.p99Ms} → ${contended.p99Ms} ms; ${exports.length} exports, ${meanExportSeconds.toFixed(1)} s each`,
    );
    const row = (label: string, r: LoadResult) => [label, rate(r.ok / r.seconds), ms(r.p50Ms), ms(r.p99Ms)];
    return {
      figures: {
        events: ledger.events,
        connections: CONNECTIONS,
        exporters: EXPORTERS,
        alone: { p50Ms: alone.p50Ms, p99Ms: alone.p99Ms, requestsPerSecond: alone.ok / alone.seconds },
        whileExporting: {
          p50Ms: contended.p50Ms,
          p99Ms: contended.p99Ms,
          requestsPerSecond: contended.ok / contended.seconds,
        },
        ratio,
        exportsMade: exports.length,
        meanExportSeconds,
        peakRssMb,
      },
      tables: [
        {
          title: `A normal query alone and while evidence exports run, ${rate(ledger.events)}-event ledger, SQLite`,
          columns: ['accountability', 'req/s', 'p50 ms', 'p99 ms'],
          rows: [
            row('alone', alone),
            row(`while ${EXPORTERS} exporters export`, contended),
            ['ratio', '', times(ratio.p50), times(ratio.p99)],
          ],
          notes: [
            `One service process (startLedgerApi, read models caught up), ${CONNECTIONS} connections asking accountability(${rollback.systemId}):`,
            `     ${timing.warmupSeconds} s warm-up and ${timing.seconds} s alone, then ${timing.seconds} s while ${EXPORTERS} auditors each export ${systems[0]} back to back`,
            `     (${exports.length} exports answered, ${meanExportSeconds.toFixed(1)} s each on average). Peak RSS ${rss(peakRssMb)}.`,
          ],
        },
      ],
    };
  },
};
