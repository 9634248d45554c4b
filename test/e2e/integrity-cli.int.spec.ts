import { noteVerifier } from '@ledger/integrity';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/child-process';

const ORIGIN = 'cli.example/ledger';

/** `npx govledger ...` as a user runs it: the bin launcher over the built CLI. */
function govledger(
  args: string[],
  env: NodeJS.ProcessEnv,
): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'govledger.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('govledger keys', () => {
  let dataDir: string;
  beforeAll(() => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT });
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the verifier key in note vkey format: one line and nothing else on stdout', () => {
    const env = { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN };
    const first = govledger(['keys'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^cli\.example\/ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    expect(noteVerifier(first.stdout.trim()).name).toBe(ORIGIN);
    expect(statSync(join(dataDir, 'keys', 'ledger.key')).mode & 0o777).toBe(0o600);
    expect(govledger(['keys'], env).stdout).toBe(first.stdout);
    expect(readFileSync(join(dataDir, 'keys', 'ledger.key'), 'utf8')).toMatch(
      /^PRIVATE\+KEY\+cli\.example\/ledger\+/,
    );
    expect(first.stdout + first.stderr).not.toContain('PRIVATE');
  });

  it('rotates to a new key and keeps the old one published', () => {
    const env = { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN };
    const old = govledger(['keys'], env).stdout.trim();
    const rotated = govledger(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    const current = rotated.stdout.trim();
    expect(rotated.stdout).toBe(`${current}\n`);
    expect(current).not.toBe(old);
    expect(rotated.stderr).toContain(
      `${old.split('+').slice(0, 2).join('+')} is retired and stays published`,
    );
    expect(govledger(['keys'], env).stdout).toBe(`${current}\n`);
    expect(readFileSync(join(dataDir, 'keys', 'verifiers.txt'), 'utf8')).toBe(`${old}\n${current}\n`);
  });

  it('refuses a bad setting with exit 78, naming the variable and the rule', () => {
    const run = govledger(['keys'], { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: 'two words' });
    expect(run.code).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("LEDGER_ORIGIN must be a log name without spaces or '+'");
  });

  it('refuses to verify a ledger that is not there rather than passing an empty one', () => {
    govledger(['keys'], { LEDGER_DATA_DIR: dataDir });
    const run = govledger(['verify'], { LEDGER_DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`there is no event store at ${join(dataDir, 'events.sqlite')}`);
  });
});
