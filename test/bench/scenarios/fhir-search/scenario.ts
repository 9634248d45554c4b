import { bearerToken } from '../../lib/cli';
import { largeLedger } from '../../lib/large-ledger';
import { progress } from '../../lib/progress';
import { ms, rate, rss, type BenchContext, type Scenario } from '../../lib/report';
import { caughtUp, type ApiReady } from '../../lib/serve-api';

/** Few: a search that reads every access takes seconds, and more callers would only queue behind it. */
const CONNECTIONS = 4;

interface Search {
  param: string;
  kind: 'common' | 'rare' | 'absent';
  query: string;
}

/** Each ITI-81 parameter with a value most accesses hold, and one few or none hold; values from demoAccess's spread. */
function searches(systems: string[], datasets: string[]): Search[] {
  const agent = `clinician.${systems[0].split('-')[0]}.0`;
  const s = (param: string, kind: Search['kind'], value: string): Search => ({
    param,
    kind,
    query: `${param}=${encodeURIComponent(value)}`,
  });
  return [
    s('patient', 'rare', 'MRN-0100000'),
    s('date', 'common', 'ge2000'),
    s('date', 'absent', 'lt2000'),
    s('agent', 'common', agent),
    s('agent', 'absent', 'nobody.at.all'),
    s('entity', 'common', `urn:govledger:dataset|${datasets[0]}`),
    s('entity', 'absent', 'Observation/absent'),
    s('entity-type', 'common', '1'),
    s('entity-type', 'absent', '4'),
    s('type', 'common', 'rest'),
    s('type', 'absent', 'other'),
    s('subtype', 'common', 'read'),
    s('subtype', 'rare', 'search'),
    s('subtype', 'absent', 'delete'),
    s('outcome', 'common', '0'),
    s('outcome', 'rare', '4'),
    s('outcome', 'absent', '8'),
    s('source', 'common', 'epic-gateway'),
    s('source', 'absent', 'no-such-service'),
  ];
}

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The first page of one search, alone: its entries and whether it links on. */
  entries: number;
  next: boolean;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** One first page, checked to be a searchset: a refusal would measure nothing. */
async function page(url: string, headers: Record<string, string>, query: string) {
  const response = await fetch(`${url}/fhir/AuditEvent?${query}`, { headers });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`GET /fhir/AuditEvent?${query} answered ${response.status}: ${text.slice(0, 300)}`);
  const bundle = JSON.parse(text) as { entry?: unknown[]; link?: Array<{ relation: string }> };
  return {
    entries: bundle.entry?.length ?? 0,
    next: bundle.link?.some((l) => l.relation === 'next') ?? false,
  };
}

/**
 * CONNECTIONS callers each asking the same first page again as soon as it is
 * answered, for `seconds`: fetch rather than autocannon, whose ten-second
 * timeout a full scan at 1M under load can pass, and a slow answer is the figure.
 */
async function drive(url: string, headers: Record<string, string>, query: string, seconds: number) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const at = performance.now();
        await page(url, headers, query);
        latencies.push(performance.now() - at);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / ((performance.now() - started) / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

export const fhirSearchScenario: Scenario = {
  name: 'fhir-search',
  async run(ctx: BenchContext) {
    const ledger = await largeLedger(ctx);
    const timing = ctx.quick ? { warmupSeconds: 1, seconds: 3 } : { warmupSeconds: 1, seconds: 5 };
    const headers = {
      authorization: `Bearer ${await bearerToken(ctx.children, ledger.dir, 'auditor', 'auditor.amy')}`,
    };
    const list = searches(ledger.governance.systems, ledger.governance.datasets);
    const results: Array<{ search: Search; figures: Figures }> = [];
    // One service for every search: each search's figure is its own, the process's peak RSS is all of them.
    const api = await ctx.children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir: ledger.dir });
    let peakRssMb: number;
    try {
      await caughtUp(api.ready.url, 60_000);
      for (const search of list) {
        const first = await page(api.ready.url, headers, search.query);
        await drive(api.ready.url, headers, search.query, timing.warmupSeconds);
        const figures = { ...(await drive(api.ready.url, headers, search.query, timing.seconds)), ...first };
        progress(
          `fhir-search ${search.query}: ${figures.requestsPerSecond.toFixed(1)} req/s, p50 ${Math.round(figures.p50Ms)} ms, p99 ${Math.round(figures.p99Ms)} ms, ${figures.entries} entries${figures.next ? ', next' : ''}`,
        );
        results.push({ search, figures });
      }
    } finally {
      ({ peakRssMb } = await api.stop());
    }
    return {
      figures: {
        events: ledger.events,
        connections: CONNECTIONS,
        peakRssMb,
        searches: results.map(({ search, figures }) => ({ ...search, ...figures })),
      },
      tables: [
        {
          title: `FHIR AuditEvent search (ITI-81) on a ${rate(ledger.events)}-event ledger, SQLite, ${CONNECTIONS} connections${ctx.quick ? ' (quick mode: the figure that matters is at 1M)' : ''}`,
          columns: [
            'search (first page, _count 20)',
            'value',
            'req/s',
            'p50 ms',
            'p99 ms',
            'entries',
            'next',
          ],
          rows: results.map(({ search, figures: f }) => [
            search.query,
            search.kind,
            f.requestsPerSecond < 10 ? f.requestsPerSecond.toFixed(1) : rate(f.requestsPerSecond),
            ms(f.p50Ms),
            ms(f.p99Ms),
            String(f.entries),
            f.next ? 'yes' : 'no',
          ]),
          notes: [
            'The ledger of the catch-up table, read models caught up; one service (startLedgerApi, projections and sealer idle) for every',
            `     search, an auditor's token; per search ${timing.warmupSeconds} s warm-up, then ${timing.seconds} s measured, each connection asking the same first page`,
            `     again as soon as it is answered. entries and next: that first page asked alone. Peak RSS over all: ${rss(peakRssMb!)}.`,
            '     The patient search records a self-audit lookup per page, an append each.',
          ],
        },
      ],
    };
  },
};
