import { noteVerifier } from '@ledger/integrity';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/child-process';
import { buildDist } from '../support/build';

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
    buildDist();
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the verifier key in note vkey format: one line and nothing else on stdout', () => {
    const env = { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN };
    expect(govledger(['init'], env).code).toBe(0);
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
    govledger(['init'], env);
    const old = govledger(['keys'], env).stdout.trim();
    const rotated = govledger(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    const current = rotated.stdout.trim();
    expect(rotated.stdout).toBe(`${current}\n`);
    expect(current).not.toBe(old);
    expect(rotated.stderr).toMatch(
      new RegExp(
        `${old.split('+').slice(0, 2).join('\\+')} keeps signing beside it until \\S+Z, then its secret is deleted; it stays published`,
      ),
    );
    // The retired secret is kept, unreadable to others, for the overlap.
    expect(statSync(join(dataDir, 'keys', 'ledger.key.retiring')).mode & 0o777).toBe(0o600);
    const again = govledger(['keys', 'rotate', '--overlap-days', '0'], env);
    expect(again.stderr).toContain(`${current.split('+').slice(0, 2).join('+')} signs nothing more`);
    expect(existsSync(join(dataDir, 'keys', 'ledger.key.retiring'))).toBe(false);
    expect(govledger(['keys'], env).stdout).toBe(`${again.stdout}`);
    expect(readFileSync(join(dataDir, 'keys', 'verifiers.txt'), 'utf8')).toBe(
      `${old}\n${current}\n${again.stdout}`,
    );
  });

  it('refuses a bad setting with exit 78, naming the variable and the rule', () => {
    const run = govledger(['keys'], { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: 'two words' });
    expect(run.code).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("LEDGER_ORIGIN must be a log name without spaces or '+'");
  });

  it('refuses to verify a ledger that is not there rather than passing an empty one', () => {
    govledger(['init'], { LEDGER_DATA_DIR: dataDir });
    const run = govledger(['verify'], { LEDGER_DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`there is no event store at ${join(dataDir, 'events.sqlite')}`);
  });

  it('verifies without the PostgreSQL driver or the JWT library on the SQLite default, and loads the driver for a PostgreSQL store', () => {
    // Asked at exit, once the command has imported all it imports: each cost every start-up 14-39 ms.
    const reporter = join(dataDir, 'report-loaded.js');
    writeFileSync(
      reporter,
      [
        'const loaded = (pkg) => Object.keys(require.cache).some((file) => file.includes(`/node_modules/${pkg}/`));',
        "process.on('exit', () => process.stderr.write(`pg loaded: ${loaded('pg')}\\njose loaded: ${loaded('jose')}\\n`));",
        '',
      ].join('\n'),
    );
    govledger(['init'], { LEDGER_DATA_DIR: dataDir });
    const env = { LEDGER_DATA_DIR: dataDir, NODE_OPTIONS: `--require ${reporter}` };
    const sqlite = govledger(['verify'], env).stderr;
    expect(sqlite).toContain('pg loaded: false');
    expect(sqlite).toContain('jose loaded: false');
    // The command that reads a token loads the library when it needs it.
    expect(
      govledger(['token', '--role', 'auditor', '--tenant', 'default', '--sub', 'a.auditor'], env).stderr,
    ).toContain('jose loaded: true');
    // A database that does not exist: the store's open fails, but only after it needed the driver.
    const postgres = govledger(['verify'], {
      ...env,
      LEDGER_STORE: 'postgres',
      DATABASE_URL: 'postgres://postgres:not-to-be-echoed@127.0.0.1:5432/ledger_no_such_database',
    });
    expect(postgres.stderr).toContain('pg loaded: true');
    // One line that names the setting and the server's reason: no stack trace, and never the URL with its password.
    expect(postgres.code).toBe(2);
    expect(postgres.stderr).toContain(
      'govledger: cannot open the event store (PostgreSQL at DATABASE_URL): event store migrations could not run: database "ledger_no_such_database" does not exist\n',
    );
    expect(postgres.stderr).not.toMatch(/not-to-be-echoed|\n\s+at /);
  });
});

describe('govledger never signs with a key it just made up', () => {
  let parent: string;
  beforeAll(() => {
    buildDist();
  });
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  const tokenArgs = ['token', '--role', 'auditor', '--tenant', 'default', '--sub', 'auditor.amy'];

  it.each([
    ['keys', ['keys']],
    ['token', tokenArgs],
  ])(
    '`govledger %s` pointed at an empty or missing folder exits non-zero, names the folder, and creates nothing',
    (_name, args) => {
      const missing = join(parent, 'not-here');
      const empty = join(parent, 'empty');
      execFileSync('mkdir', [empty]);
      for (const dataDir of [missing, empty]) {
        const run = govledger(args, { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN });
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(`govledger: there is no ledger in ${dataDir}: `);
        expect(run.stderr).toContain('nothing was created');
        expect(run.stderr).toContain('Set LEDGER_DATA_DIR');
        expect(run.stderr).toContain('`govledger init`');
      }
      expect(existsSync(missing)).toBe(false);
      expect(readdirSync(empty)).toEqual([]);
    },
  );

  it('`govledger init` creates the data directory and keys, says what it made, and never overwrites a key', () => {
    const dataDir = join(parent, 'ledger');
    const env = { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN };
    const init = govledger(['init'], env);
    expect(init.code).toBe(0);
    for (const file of ['', '/keys', '/keys/ledger.key', '/keys/token-issuer.jwk', '/keys/verifiers.txt'])
      expect(init.stdout).toContain(`created ${dataDir}${file}\n`);
    expect(statSync(join(dataDir, 'keys', 'token-issuer.jwk')).mode & 0o777).toBe(0o600);
    const key = readFileSync(join(dataDir, 'keys', 'ledger.key'), 'utf8');
    const issuer = readFileSync(join(dataDir, 'keys', 'token-issuer.jwk'), 'utf8');

    const again = govledger(['init'], env);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain(`${dataDir} already holds a ledger's keys`);
    expect(again.stderr).toContain('init never overwrites a key');
    expect(readFileSync(join(dataDir, 'keys', 'ledger.key'), 'utf8')).toBe(key);
    expect(readFileSync(join(dataDir, 'keys', 'token-issuer.jwk'), 'utf8')).toBe(issuer);

    // The token it then signs carries the initialised issuer's key id: the one the service will verify against.
    const token = govledger(tokenArgs, env);
    expect(token.code).toBe(0);
    const kid = (JSON.parse(issuer) as { kid: string }).kid;
    expect(JSON.parse(Buffer.from(token.stdout.split('.')[0], 'base64url').toString())).toMatchObject({
      kid,
    });
  });

  it('says on stderr which ledger each command uses: the data directory, the store and the key id', () => {
    const dataDir = join(parent, 'ledger');
    const env = { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN };
    govledger(['init'], env);
    const vkey = govledger(['keys'], env);
    const id = vkey.stdout.trim().split('+').slice(0, 2).join('+');
    expect(vkey.stderr).toBe(`govledger: using the ledger in ${dataDir} (store sqlite, key ${id})\n`);
    const kid = (
      JSON.parse(readFileSync(join(dataDir, 'keys', 'token-issuer.jwk'), 'utf8')) as { kid: string }
    ).kid;
    expect(govledger(tokenArgs, env).stderr).toBe(
      `govledger: using the ledger in ${dataDir} (store sqlite, key ${kid})\n`,
    );
  });

  it('prints keys and token as JSON with --json', () => {
    const dataDir = join(parent, 'ledger');
    const env = { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN };
    govledger(['init'], env);
    const vkey = govledger(['keys'], env).stdout.trim();
    expect(JSON.parse(govledger(['keys', '--json'], env).stdout)).toEqual({
      dataDir,
      origin: ORIGIN,
      keyId: vkey.split('+').slice(0, 2).join('+'),
      verifierKey: vkey,
      published: [vkey],
    });
    const token = JSON.parse(govledger([...tokenArgs, '--ttl', '60', '--json'], env).stdout) as Record<
      string,
      unknown
    >;
    expect(token).toMatchObject({ id: 'auditor.amy', role: 'auditor', tenantId: 'default' });
    expect(String(token.token).split('.')).toHaveLength(3);
    const expiresIn = Date.parse(String(token.expiresAt)) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(60_000);
  });

  it('prints its version with --version', () => {
    const run = govledger(['--version'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `${(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );
  });

  it('answers a usage mistake with the one line that names it, not the whole help', () => {
    for (const args of [['token', '--role', 'auditor'], ['tokn'], ['keys', '--jsn']]) {
      const run = govledger(args, { LEDGER_DATA_DIR: join(parent, 'ledger') });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^govledger: /);
      expect(run.stderr).not.toContain('Usage:');
    }
    expect(govledger(['token', '--role', 'auditor'], {}).stderr).toContain(
      "required option '--tenant <tenant>' not specified",
    );
  });

  it('takes the service address from LEDGER_URL, and names the rule when it or --url has no http(s) scheme', () => {
    const dataDir = join(parent, 'ledger');
    const env = { LEDGER_DATA_DIR: dataDir, LEDGER_ORIGIN: ORIGIN };
    govledger(['init'], env);
    // Port 9 (discard) on loopback: nothing answers, so the command gets as far as saying where it went.
    const unreachable = govledger(['seed-demo', '--access-events', '0'], {
      ...env,
      LEDGER_URL: 'http://127.0.0.1:9',
    });
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toContain(
      'seeding the demo organisation into the ledger at http://127.0.0.1:9,',
    );
    const noScheme = govledger(['seed-demo'], { ...env, LEDGER_URL: '127.0.0.1:3000' });
    expect(noScheme.code).toBe(78);
    expect(noScheme.stderr).toContain('LEDGER_URL must be an http(s):// URL, e.g. http://127.0.0.1:3000');
    const badFlag = govledger(['seed-demo', '--url', 'localhost:3000'], env);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('--url must be an http(s):// URL, e.g. http://127.0.0.1:3000');
    const badCount = govledger(['seed-demo', '--sepsis-outputs', 'many'], env);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain('--sepsis-outputs must be a whole number, 0 or more');
  });

  it('refuses to record an export as root: --actor names a person', () => {
    const run = govledger(['export', '--system', 'sepsis-predictor', '--out', join(parent, 'b.tar.gz')], {
      LEDGER_DATA_DIR: join(parent, 'ledger'),
      USER: 'root',
      SUDO_USER: '',
      LOGNAME: 'root',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--actor: say who is exporting');
  });

  it('prints a bash completion script built from its own commands and options', () => {
    const script = govledger(['completion', 'bash'], {}).stdout;
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _govledger; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(complete('govledger', 'ex').split(' ')).toEqual(['export']);
    expect(complete('govledger', 'export', '--system', 'x', '--ac')).toBe('--actor');
    expect(complete('govledger', 'keys', '')).toContain('rotate');
    expect(complete('govledger', 'keys', '--j')).toBe('--json');
    expect(complete('govledger', '--ver')).toBe('--version');
  });
});
