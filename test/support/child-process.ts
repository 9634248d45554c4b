import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIssuer } from '@ledger/auth';

export const REPO_ROOT = join(__dirname, '..', '..');

/**
 * Node's arguments that run a TypeScript entry point (a path from the repository's root, which is the child's
 * working directory). Under `npm test`, which builds dist/ before jest starts (TEST_DIST_BUILT=1), the service and
 * the CLI (under apps/) run as built, as users run them: compiled on the fly, each start compiled their modules
 * again, about a second of CPU per child. Otherwise, and for the test children under libs/ (which import test/
 * support code, not built), the entry point is compiled on the fly the way jest compiles tests.
 */
export function entryPoint(script: string): string[] {
  return process.env.TEST_DIST_BUILT === '1' && script.startsWith('apps/')
    ? [`dist/${script.replace(/\.ts$/, '.js')}`]
    : ['-r', '@swc-node/register', script];
}

/** Runs a TypeScript entry point (see entryPoint) in a child Node process. */
export function spawnTs(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...entryPoint(script), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
}

/** Collects a child's stdout lines and lets a test wait for a line that matches. */
export class LineReader {
  readonly lines: string[] = [];
  private buffer = '';
  private waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  constructor(child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => !(w.test(line) && (w.resolve(line), true)));
      }
    });
  }

  waitFor(test: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const found = this.lines.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no matching line within ${timeoutMs} ms; saw: ${this.lines.slice(-5).join(' | ')}`),
          ),
        timeoutMs,
      );
      this.waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  }
}

export function exited(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * The service in its own process on a fresh data directory, logging at trace,
 * with every line it writes kept: for tests that search its logs and files.
 * `stop` ends the process; `remove` deletes the data directory afterwards.
 */
export async function startLoggedService(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const child = spawnTs('apps/ledger-api/src/main.ts', [], {
    PORT: '0',
    LEDGER_DATA_DIR: dir,
    LOG_LEVEL: 'trace',
  });
  let logs = '';
  child.stdout.on('data', (c) => (logs += c));
  child.stderr.on('data', (c) => (logs += c));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited(child);
  };
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const line = await new LineReader(child).waitFor((l) => l.includes('"ledger-api listening"'), 60_000);
    const url = (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1');
    const issuer = await LocalIssuer.open(join(dir, 'keys'), 'govledger-local', 'govledger');
    return { dir, url, issuer, logs: () => logs, stop, remove };
  } catch (error) {
    await stop();
    remove();
    throw error;
  }
}
