import type { Children } from '../../lib/child';
import { bearerToken } from '../../lib/cli';
import { largeLedger, type LargeLedger } from '../../lib/large-ledger';
import { postLoad, type LoadResult } from '../../lib/load';
import { progress } from '../../lib/progress';
import { ms, rate, toCeiling, type BenchContext, type Scenario } from '../../lib/report';
import { caughtUp, type ApiReady } from '../../lib/serve-api';

const SECONDS = 10;
const TARGET = { p99Ms: 100 };
/** The service's default LEDGER_GRAPHQL_MAX_COST, which the abuser's query stays just under. */
const MAX_COST = 10_000;
/** What one row of the abuser's page costs: edges + node + inclusionProof (weighs 50) + leafIndex. */
const PROOF_ROW_COST = 1 + 1 + 50 + 1;

interface Client {
  label: string;
  body: string;
  /** Whether an answer carries what the query asks for, not merely no error. */
  answered(data: Record<string, any>): boolean;
}

/** The auditors' everyday question, as in the graphql scenario. */
function accountability(ledger: LargeLedger): Client {
  const { rollback } = ledger.governance;
  return {
    label: `accountability(${rollback.systemId})`,
    body: JSON.stringify({
      query:
        'query($s: ID!, $at: DateTime) { accountability(systemId: $s, asOf: $at) { liveVersion vacantRequiredRoles holdings { role holder assignmentId since assignedBy accepted acceptedAt until } } }',
      variables: { s: rollback.systemId, at: rollback.beforeRollback },
    }),
    answered: (data) => data.accountability?.liveVersion === 'v2',
  };
}

/**
 * The most work one request may ask for: as many inclusion proofs as the cost
 * limit lets through (the heaviest field per unit of cost), in aliased pages
 * of the largest size. Each proof reads the checkpoint, the leaf and its audit
 * path and hashes it to the signed root.
 */
function mostExpensive(ledger: LargeLedger): Client {
  const proofs = Math.floor(MAX_COST / PROOF_ROW_COST) - 1;
  const pages: number[] = [];
  for (let left = proofs; left > 0; left -= 100) pages.push(Math.min(100, left));
  const cost = pages.reduce((sum, rows) => sum + 1 + rows * PROOF_ROW_COST, 0);
  const query = `query($s: ID) { ${pages
    .map(
      (rows, i) =>
        `p${i}: timeline(systemId: $s, first: ${rows}) { edges { node { inclusionProof { leafIndex } } } }`,
    )
    .join(' ')} }`;
  return {
    label: `${proofs} inclusion proofs in ${pages.length} aliased timeline pages (cost ${cost} of ${MAX_COST})`,
    body: JSON.stringify({ query, variables: { s: ledger.governance.systems[0] } }),
    answered: (data) =>
      pages.every(
        (rows, i) =>
          data[`p${i}`]?.edges.length === rows &&
          data[`p${i}`].edges.every((e: { node: { inclusionProof: unknown } }) => e.node.inclusionProof),
      ),
  };
}

async function ask(url: string, headers: Record<string, string>, client: Client): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: client.body,
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!response.ok || body.errors || !body.data || !client.answered(body.data))
    throw new Error(`${client.label} answered ${response.status}: ${text.slice(0, 500)}`);
}

interface Run {
  normal: LoadResult;
  abuser?: LoadResult;
}

/** The service in a process of its own for each run; one connection per client, each asking again as soon as answered. */
async function measure(
  children: Children,
  ledger: LargeLedger,
  clients: { normal: Client; abuser?: Client },
  headers: { normal: Record<string, string>; abuser: Record<string, string> },
): Promise<Run> {
  const api = await children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir: ledger.dir });
  try {
    await caughtUp(api.ready.url, 60_000);
    await ask(api.ready.url, headers.normal, clients.normal);
    if (clients.abuser) await ask(api.ready.url, headers.abuser, clients.abuser);
    const drive = (client: Client, clientHeaders: Record<string, string>) =>
      postLoad(api.ready.url, '/graphql', {
        connections: 1,
        seconds: SECONDS,
        headers: clientHeaders,
        body: () => client.body,
      });
    const [normal, abuser] = await Promise.all([
      drive(clients.normal, headers.normal),
      clients.abuser ? drive(clients.abuser, headers.abuser) : undefined,
    ]);
    await ask(api.ready.url, headers.normal, clients.normal);
    return { normal, abuser };
  } finally {
    await api.stop();
  }
}

export const abuseScenario: Scenario = {
  name: 'abuse',
  async run(ctx: BenchContext) {
    const ledger = await largeLedger(ctx);
    const normal = accountability(ledger);
    const abuser = mostExpensive(ledger);
    const headers = {
      normal: {
        authorization: `Bearer ${await bearerToken(ctx.children, ledger.dir, 'auditor', 'auditor.amy')}`,
      },
      abuser: {
        authorization: `Bearer ${await bearerToken(ctx.children, ledger.dir, 'auditor', 'auditor.mallory')}`,
      },
    };
    progress(`abuse: ${normal.label} alone for ${SECONDS} s`);
    const baseline = await measure(ctx.children, ledger, { normal }, headers);
    progress(`abuse: ${normal.label} while another caller loops ${abuser.label}, ${SECONDS} s`);
    const abused = await measure(ctx.children, ledger, { normal, abuser }, headers);
    const row = (label: string, run: Run) => [
      label,
      rate(run.normal.ok / run.normal.seconds),
      ms(run.normal.p50Ms),
      ms(run.normal.p99Ms),
      toCeiling(run.normal.p99Ms, TARGET.p99Ms, String),
      run.abuser ? rate(run.abuser.ok) : '-',
      run.abuser ? ms(run.abuser.p50Ms) : '-',
    ];
    progress(
      `abuse: p99 ${baseline.normal.p99Ms} ms alone, ${abused.normal.p99Ms} ms beside the abuser (${abused.abuser!.ok} expensive answers)`,
    );
    return {
      figures: {
        events: ledger.events,
        seconds: SECONDS,
        abuserQuery: abuser.label,
        baseline: { normal: baseline.normal },
        abused: { normal: abused.normal, abuser: abused.abuser },
        p99ToTarget: abused.normal.p99Ms / TARGET.p99Ms,
      },
      tables: [
        {
          title: `One caller's most expensive allowed query beside an auditor's, on a ${rate(ledger.events)}-event ledger, SQLite`,
          columns: [
            'run',
            'accountability req/s',
            'p50 ms',
            'p99 ms',
            'p99 target',
            'expensive answers',
            'expensive p50 ms',
          ],
          rows: [row('alone (baseline)', baseline), row('beside the abuser', abused)],
          notes: [
            `The abuser asks for ${abuser.label}, just under the service's default`,
            `     LEDGER_GRAPHQL_MAX_COST; its proofs are worked out 10 at a time, one chunk per turn of the event loop, so the auditor's`,
            '     query is served between two chunks.',
            `     Each run: the service in its own process on the large ledger, caught up; one connection per client, ${SECONDS} s, autocannon in the runner.`,
          ],
        },
      ],
    };
  },
};
