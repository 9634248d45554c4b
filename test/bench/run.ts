/**
 * `npm run bench [-- --quick] [--json <file>] [--only <scenario,...>] [--cpu-prof <dir>]`
 *
 * Measures the ledger against the hardware's limit and a peer, every
 * comparison side by side in this one run, each measurement in its own child
 * process (so each figure carries its own peak RSS). The table goes to stdout,
 * progress to stderr.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { POSTGRES_ADMIN_URL, withClient } from '../support/postgres';
import { BENCH_DIR, buildBench, ensureBenchDependencies, REPO_ROOT } from './lib/build';
import { Children } from './lib/child';
import { progress } from './lib/progress';
import { renderTable, type Scenario, type ScenarioReport } from './lib/report';
import { abuseScenario } from './scenarios/abuse/scenario';
import { appendScenario } from './scenarios/append/scenario';
import { clinicalUseScenario } from './scenarios/clinical-use/scenario';
import { concurrentWritersScenario } from './scenarios/concurrent-writers/scenario';
import { exportContentionScenario } from './scenarios/export-contention/scenario';
import { fhirSearchScenario } from './scenarios/fhir-search/scenario';
import { floodScenario } from './scenarios/flood/scenario';
import { graphqlScenario } from './scenarios/graphql/scenario';
import { httpBatchScenario } from './scenarios/http-batch/scenario';
import { httpSingleScenario } from './scenarios/http-single/scenario';
import { projectionScenario } from './scenarios/projection/scenario';
import { verifyScenario } from './scenarios/verify/scenario';

// projection, graphql, fhir-search, abuse and export-contention share one large ledger, made by whichever runs first.
const SCENARIOS: Scenario[] = [
  appendScenario,
  concurrentWritersScenario,
  httpSingleScenario,
  httpBatchScenario,
  verifyScenario,
  projectionScenario,
  graphqlScenario,
  fhirSearchScenario,
  exportContentionScenario,
  floodScenario,
  abuseScenario,
  clinicalUseScenario,
];

async function machine() {
  const sqlite = new Database(':memory:');
  const sqliteVersion = (sqlite.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  sqlite.close();
  const postgresVersion = await withClient(
    POSTGRES_ADMIN_URL,
    async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string,
  ).catch((error: unknown) => `unreachable (${error instanceof Error ? error.message : String(error)})`);
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    sqlite: sqliteVersion,
    postgres: postgresVersion,
  };
}

/** Which code was measured: the bench compiles the working tree, so uncommitted changes count and are said to. */
function codeVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const dirty =
    git('status', '--porcelain', '--untracked-files=no', '--', 'apps', 'libs').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes in apps/ or libs/' : ''}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  });
  const only = values.only?.split(',');
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown?.length)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const started = performance.now();

  ensureBenchDependencies();
  // Inside node_modules, which git, ESLint, tsc and jest all pass over, and on the disk, so SQLite's fsync means what it does in production.
  const runDir = join(BENCH_DIR, 'node_modules', '.cache', 'ledger-bench', `run-${process.pid}`);
  const dataDir = join(runDir, 'stores');
  mkdirSync(dataDir, { recursive: true });
  try {
    progress('compiling the service and the bench with swc');
    buildBench(join(runDir, 'build'));
    const profileDir = values['cpu-prof'] && resolve(values['cpu-prof']);
    const children = new Children(
      join(runDir, 'build'),
      profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    );
    const about = { ...(await machine()), code: codeVersion() };
    const mode = values.quick ? 'quick' : 'full';

    const reports: Record<string, ScenarioReport | { error: string }> = {};
    for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
      try {
        reports[scenario.name] = await scenario.run({ quick: values.quick, dataDir, children });
      } catch (error) {
        // One broken scenario (PostgreSQL down, say) still leaves the others' figures worth printing.
        const message = error instanceof Error ? error.message : String(error);
        progress(`${scenario.name} failed: ${message}`);
        reports[scenario.name] = { error: message.split('\n')[0] };
      }
    }
    const seconds = (performance.now() - started) / 1000;

    const header = [
      `AI governance ledger benchmark (${mode}), ${new Date().toISOString()}, ${seconds.toFixed(0)} s`,
      `machine: ${about.cpu}, ${about.cores} cores, ${about.memoryGb} GB; Node ${about.node}; SQLite ${about.sqlite}; PostgreSQL ${about.postgres}`,
      `code: ${about.code}`,
    ];
    const sections = Object.entries(reports).map(([name, report]) =>
      'error' in report ? `${name}: FAILED: ${report.error}` : report.tables.map(renderTable).join('\n\n'),
    );
    process.stdout.write(`${[header.join('\n'), ...sections].join('\n\n')}\n`);
    if (values.json) {
      const figures = Object.fromEntries(
        Object.entries(reports).map(([name, report]) => [name, 'error' in report ? report : report.figures]),
      );
      writeFileSync(
        values.json,
        `${JSON.stringify({ mode, at: new Date().toISOString(), seconds, machine: about, scenarios: figures }, null, 2)}\n`,
      );
      progress(`figures written to ${values.json}`);
    }
    progress(`done in ${seconds.toFixed(1)} s`);
    if (Object.values(reports).some((r) => 'error' in r)) process.exitCode = 1;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
