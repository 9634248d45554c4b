import type { Children } from '../../lib/child';
import { bearerToken } from '../../lib/cli';
import { largeLedger, type LargeLedger } from '../../lib/large-ledger';
import { postLoad } from '../../lib/load';
import { progress } from '../../lib/progress';
import { ms, rate, rss, toCeiling, toFloor, type BenchContext, type Scenario } from '../../lib/report';
import { caughtUp, type ApiReady } from '../../lib/serve-api';

const CONNECTIONS = 16;
const PAGE = 50;
/** The goal for both queries; each query carries its own must. */
const GOAL = { p99Ms: 10, requestsPerSecond: 3000 };

interface Query {
  label: string;
  body: string;
  /** The must for this query at 1M events. */
  must: { requestsPerSecond: number; p99Ms: number };
  /** Whether an answer's data is the one the query exists for, not merely free of errors. */
  answered(data: Record<string, any>): boolean;
}

function queries(ledger: LargeLedger): Query[] {
  const { systems, datasets, rollback } = ledger.governance;
  return [
    {
      label: `accountability(${rollback.systemId}, asOf before its rollback)`,
      must: { requestsPerSecond: 2000, p99Ms: 15 },
      body: JSON.stringify({
        query:
          'query($s: ID!, $at: DateTime) { accountability(systemId: $s, asOf: $at) { liveVersion vacantRequiredRoles holdings { role holder assignmentId since assignedBy accepted acceptedAt until } } }',
        variables: { s: rollback.systemId, at: rollback.beforeRollback },
      }),
      answered: (data) =>
        data.accountability?.liveVersion === 'v2' &&
        data.accountability.holdings.some((h: { holder: string }) => h.holder === rollback.authority),
    },
    {
      label: `dataAccess(dataset ${datasets[0]}, purpose TREAT, first ${PAGE})`,
      must: { requestsPerSecond: 1000, p99Ms: 25 },
      body: JSON.stringify({
        query:
          'query($f: DataAccessFilter, $n: Int) { dataAccess(filter: $f, first: $n) { edges { cursor node { position eventId actor datasetId resource patientPseudonym action purposeOfUse outcome sourceService systemId occurredAt violation } } pageInfo { hasNextPage endCursor } } }',
        variables: { f: { datasetId: datasets[0], purposeOfUse: 'TREAT' }, n: PAGE },
      }),
      answered: (data) =>
        data.dataAccess?.edges.length === PAGE &&
        data.dataAccess.edges.every((e: { node: { systemId: string } }) => e.node.systemId === systems[0]),
    },
  ];
}

/** One answer, checked: a GraphQL error comes back as 200 with `errors`, which a status count alone would take for success. */
async function ask(url: string, headers: Record<string, string>, query: Query): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: query.body,
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!response.ok || body.errors || !body.data || !query.answered(body.data))
    throw new Error(`${query.label} answered ${response.status}: ${text.slice(0, 500)}`);
}

interface QueryFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  peakRssMb: number;
}

/** The service on the caught-up ledger, in a process of its own for this one query, so its peak RSS is this load's. */
async function measure(
  children: Children,
  ledger: LargeLedger,
  headers: Record<string, string>,
  query: Query,
  timing: { warmupSeconds: number; seconds: number },
): Promise<QueryFigures> {
  const api = await children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir: ledger.dir });
  let measured;
  try {
    // Nothing left to project or seal: the load meets the queries alone.
    await caughtUp(api.ready.url, 60_000);
    await ask(api.ready.url, headers, query);
    const drive = (seconds: number) =>
      postLoad(api.ready.url, '/graphql', {
        connections: CONNECTIONS,
        seconds,
        headers,
        body: () => query.body,
      });
    await drive(timing.warmupSeconds);
    measured = await drive(timing.seconds);
    await ask(api.ready.url, headers, query);
  } catch (error) {
    await api.stop().catch(() => undefined);
    throw error;
  }
  const { peakRssMb } = await api.stop();
  // postLoad fails the run on any answer that is not 2xx, so a figure here had none.
  const figures = {
    requestsPerSecond: measured.ok / measured.seconds,
    p50Ms: measured.p50Ms,
    p99Ms: measured.p99Ms,
    non2xx: 0,
    peakRssMb,
  };
  progress(
    `graphql ${query.label}: ${Math.round(figures.requestsPerSecond)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`,
  );
  return figures;
}

export const graphqlScenario: Scenario = {
  name: 'graphql',
  async run(ctx: BenchContext) {
    const ledger = await largeLedger(ctx);
    const timing = ctx.quick ? { warmupSeconds: 1, seconds: 3 } : { warmupSeconds: 3, seconds: 15 };
    const headers = {
      authorization: `Bearer ${await bearerToken(ctx.children, ledger.dir, 'auditor', 'auditor.amy')}`,
    };
    const results: Array<{ query: Query; figures: QueryFigures }> = [];
    for (const query of queries(ledger)) {
      progress(`graphql: ${CONNECTIONS} connections asking ${query.label} for ${timing.seconds} s`);
      results.push({ query, figures: await measure(ctx.children, ledger, headers, query, timing) });
    }
    return {
      figures: {
        events: ledger.events,
        connections: CONNECTIONS,
        queries: results.map(({ query, figures }) => ({
          query: query.label,
          ...figures,
          p99ToMust: figures.p99Ms / query.must.p99Ms,
          requestsToMust: figures.requestsPerSecond / query.must.requestsPerSecond,
        })),
      },
      tables: [
        {
          title: `GraphQL on a ${rate(ledger.events)}-event ledger, SQLite, ${CONNECTIONS} connections${ctx.quick ? " (quick mode: the issue's figure is at 1M)" : ''}`,
          columns: [
            'query',
            'req/s',
            'p50 ms',
            'p99 ms',
            'req/s target',
            'p99 target',
            'non-2xx',
            'peak RSS MB',
          ],
          rows: results.map(({ query, figures: f }) => [
            query.label,
            rate(f.requestsPerSecond),
            ms(f.p50Ms),
            ms(f.p99Ms),
            toFloor(f.requestsPerSecond, query.must.requestsPerSecond, rate, GOAL.requestsPerSecond),
            toCeiling(f.p99Ms, query.must.p99Ms, String, GOAL.p99Ms),
            String(f.non2xx),
            rss(f.peakRssMb),
          ]),
          notes: [
            'The ledger of the catch-up table, read models caught up. Per query: the service in its own process (startLedgerApi, projections',
            `     and sealer idle), an auditor's token from govledger token, autocannon in the runner: ${timing.warmupSeconds} s warm-up, then ${timing.seconds} s measured,`,
            '     the same POST /graphql on every connection. One answer before and one after the load is checked to carry the data asked for.',
          ],
        },
      ],
    };
  },
};
