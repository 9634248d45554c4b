import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from './progress';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const BENCH_DIR = join(REPO_ROOT, 'test', 'bench');

/** Packages only the bench uses; present once test/bench has been installed. */
const BENCH_PACKAGES = [
  '@event-driven-io/emmett-sqlite',
  '@event-driven-io/emmett-postgresql',
  'sqlite3',
  'autocannon',
];

function run(command: string, args: string[], cwd: string): void {
  // Their output is progress, not figures: send it to stderr.
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', process.stderr, process.stderr] });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status ?? result.signal})`);
}

/**
 * The peer and the load generator live in test/bench's own package, so that
 * `npm run bench` works on a fresh clone: install it from its lockfile when
 * any of its packages is missing. Its .npmrc sets legacy-peer-deps, which the
 * Emmett releases on the registry need.
 */
export function ensureBenchDependencies(): void {
  const missing = BENCH_PACKAGES.filter((name) => {
    try {
      require.resolve(name, { paths: [BENCH_DIR] });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  progress(
    `installing the bench's own dependencies in test/bench (missing: ${missing.join(', ')}); sqlite3 builds from source, about a minute`,
  );
  run('npm', ['ci', '--no-audit', '--no-fund'], BENCH_DIR);
}

/**
 * Compiles the service, the CLI, the libs and the bench with swc, as `npm run
 * build` does for `npm start`, into `outDir` under test/bench/node_modules. A
 * node_modules link at its top makes every package resolve from the root's
 * node_modules first, exactly as in the service; only what the root lacks
 * (the peer, the load generator) is then found further up, in test/bench's.
 */
export function buildBench(outDir: string): void {
  const dirs = ['apps', 'libs', 'test/support', 'test/bench/lib', 'test/bench/scenarios', 'test/bench/peer'];
  run(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/@swc/cli/bin/swc.js'),
      ...dirs,
      '-d',
      outDir,
      '--quiet',
      '--ignore',
      '**/*.spec.ts',
    ],
    REPO_ROOT,
  );
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
}
