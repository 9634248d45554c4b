import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './child-process';

/**
 * Builds dist/ for a suite that runs the built service or CLI. `npm test`
 * builds once before jest and says so with TEST_DIST_BUILT=1: its suites
 * run side by side, and one rebuilding dist/ (vite empties dist/console)
 * would pull files from under another's running service.
 */
export function buildDist(): void {
  if (process.env.TEST_DIST_BUILT === '1') return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT });
}
