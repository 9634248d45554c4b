import { LocalIssuer, type Role } from '@ledger/auth';
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, REPO_ROOT } from '../support/child-process';
import { buildDist } from '../support/build';
import { createTestDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from '../support/postgres';

/**
 * The backup and restore drill of docs/operations.md ("Backup and restore"), run as written:
 * back up a running ledger, destroy it, restore it, then `govledger verify` passes and the
 * restarted service answers with the data it held.
 */

const MAIN = join(REPO_ROOT, 'dist/apps/ledger-api/src/main.js');
const SYSTEM = 'drill-sepsis';
const EVENTS = 80;

const running = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const child of running) process.kill(-child.pid!, 'SIGKILL');
});

interface Service {
  url: string;
  child: ChildProcessWithoutNullStreams;
}

async function startService(env: NodeJS.ProcessEnv): Promise<Service> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const line = await new LineReader(child).waitFor((l) => l.includes('"ledger-api listening"'));
  return { child, url: (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1') };
}

async function stopService({ child }: Service): Promise<void> {
  child.kill('SIGTERM');
  expect(await exited(child)).toEqual({ code: 0, signal: null });
}

function govledger(args: string[], env: NodeJS.ProcessEnv) {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'govledger.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function token(dataDir: string, sub: string, role: Role): Promise<string> {
  const issuer = await LocalIssuer.open(join(dataDir, 'keys'), 'govledger-local', 'govledger');
  return issuer.issue({ id: sub, role, tenantId: 'default' }, 600);
}

async function graphql<T>(url: string, bearer: string, query: string): Promise<{ status: number; data: T }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return { status: response.status, data: body.data };
}

/** Writes what the drill must get back: one AI system by GraphQL and a batch of data-access events by ingest. */
async function seed(url: string, dataDir: string): Promise<void> {
  const admin = await token(dataDir, 'admin.grace', 'governance-admin');
  await graphql(
    url,
    admin,
    `mutation { registerAiSystem(input: { systemId: "${SYSTEM}", name: "Sepsis predictor", intendedUse: "x",
       clinicalDomain: "x", riskClass: low, supplier: vendor, vendorName: "V", sites: ["east"] }) { stream } }`,
  );
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    eventId: randomUUID(),
    type: 'DataAccessed',
    occurredAt: '2026-03-14T09:00:00Z',
    data: {
      actor: 'dr.ada',
      datasetId: 'icu-vitals',
      patientId: `MRN-${i}`,
      action: 'R',
      purposeOfUse: 'TREAT',
      outcome: 'success',
    },
  }));
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await token(dataDir, 'ehr-gateway', 'emitter')}`,
    },
    body: JSON.stringify({ events }),
  });
  expect(await response.json()).toMatchObject({ accepted: EVENTS, rejected: 0 });
}

/** What the service answers about the seeded data once every projection has caught up. */
async function answers(url: string, dataDir: string) {
  expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  const auditor = await token(dataDir, 'auditor.amy', 'governance-admin');
  for (const deadline = Date.now() + 20_000; ;) {
    const { data } = await graphql<{
      ledger: { headPosition: string; projections: Array<{ position: string }> };
    }>(url, auditor, '{ ledger { headPosition projections { position } } }');
    if (data.ledger.projections.every((p) => BigInt(p.position) >= BigInt(data.ledger.headPosition))) break;
    if (Date.now() > deadline) throw new Error('projections did not catch up within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const { data } = await graphql<{
    aiSystem: { id: string; name: string } | null;
    dataAccess: { edges: unknown[] };
    ledger: { headPosition: string };
  }>(
    url,
    auditor,
    `{ aiSystem(id: "${SYSTEM}") { id name } dataAccess(first: 100) { edges { cursor } } ledger { headPosition } }`,
  );
  return { system: data.aiSystem, accesses: data.dataAccess.edges.length, head: data.ledger.headPosition };
}

const hasSqlite3 = spawnSync('sqlite3', ['-version']).status === 0;
const hasPgTools =
  spawnSync('pg_dump', ['--version']).status === 0 && spawnSync('pg_restore', ['--version']).status === 0;
if (process.env.CI === 'true' && !(hasSqlite3 && hasPgTools))
  throw new Error('the restore drill needs sqlite3, pg_dump and pg_restore in CI (.ci/run installs them)');

describe('the restore drill of docs/operations.md', () => {
  let root: string;
  beforeAll(() => {
    buildDist();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ledger-drill-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  (hasSqlite3 ? it : it.skip)(
    'SQLite: an online `.backup` of both databases plus keys/, the data directory destroyed, restored: verify passes and the service answers',
    async () => {
      const dataDir = join(root, 'data');
      const backup = join(root, 'backup');
      const env = { LEDGER_DATA_DIR: dataDir };
      let service = await startService(env);
      await seed(service.url, dataDir);
      const before = await answers(service.url, dataDir);
      expect(before.system).toEqual({ id: SYSTEM, name: 'Sepsis predictor' });
      expect(before.accesses).toBe(EVENTS);

      // The backup, taken while the service runs and writes: sqlite3's online backup reads a
      // consistent snapshot through SQLite's own locks, WAL included.
      mkdirSync(backup);
      for (const db of ['events.sqlite', 'read.sqlite'])
        execFileSync('sqlite3', [join(dataDir, db), `.backup '${join(backup, db)}'`]);
      cpSync(join(dataDir, 'keys'), join(backup, 'keys'), { recursive: true });
      cpSync(join(dataDir, 'exports'), join(backup, 'exports'), { recursive: true });
      // A single file each: the snapshot needs no -wal or -shm beside it.
      expect(readdirSync(backup).sort()).toEqual(['events.sqlite', 'exports', 'keys', 'read.sqlite']);

      // The disaster: the service dies and its data directory is gone.
      service.child.kill('SIGKILL');
      await exited(service.child);
      rmSync(dataDir, { recursive: true, force: true });
      expect(govledger(['verify'], env).code).toBe(2);

      // The restore: the backup copied back into an empty data directory, keys kept private.
      cpSync(backup, dataDir, { recursive: true });
      const verify = govledger(['verify', '--json'], env);
      expect(verify.stderr).not.toContain('FAIL');
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });

      service = await startService(env);
      expect(await answers(service.url, dataDir)).toEqual(before);
      await stopService(service);
    },
  );

  (hasPgTools ? it : it.skip)(
    'PostgreSQL: pg_dump -Fc, the database dropped and recreated, pg_restore: verify passes and the service answers',
    async () => {
      const dataDir = join(root, 'data');
      const dump = join(root, 'ledger.dump');
      const database: TestDatabase = await createTestDatabase();
      try {
        const env = { LEDGER_DATA_DIR: dataDir, LEDGER_STORE: 'postgres', DATABASE_URL: database.url };
        let service = await startService(env);
        await seed(service.url, dataDir);
        const before = await answers(service.url, dataDir);
        expect(before.accesses).toBe(EVENTS);

        execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, database.url]);
        cpSync(join(dataDir, 'keys'), join(root, 'keys'), { recursive: true });
        await stopService(service);

        await database.drop();
        execFileSync('psql', ['--quiet', POSTGRES_ADMIN_URL, '-c', `CREATE DATABASE ${database.name}`]);
        rmSync(dataDir, { recursive: true, force: true });
        expect(govledger(['verify'], env).code).not.toBe(0);

        execFileSync('pg_restore', ['--no-owner', `--dbname=${database.url}`, dump]);
        mkdirSync(dataDir);
        cpSync(join(root, 'keys'), join(dataDir, 'keys'), { recursive: true });
        const verify = govledger(['verify', '--json'], env);
        expect(verify.code).toBe(0);
        expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });

        service = await startService(env);
        expect(await answers(service.url, dataDir)).toEqual(before);
        await stopService(service);
      } finally {
        await database.drop();
      }
    },
  );

  if (!hasSqlite3) console.warn('restore drill: SQLite case skipped, the sqlite3 command is not installed');
  if (!hasPgTools)
    console.warn('restore drill: PostgreSQL case skipped, pg_dump/pg_restore are not installed');
});
