import { LocalIssuer } from '@ledger/auth';
import { SqliteEventStore } from '@ledger/event-store';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, REPO_ROOT } from '../support/child-process';
import { buildDist } from '../support/build';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const MAIN = join(REPO_ROOT, 'dist/apps/ledger-api/src/main.js');

const running = new Set<ChildProcessWithoutNullStreams>();

/** Starts the service as its own process group; whatever a failing test leaves running is killed after it. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

afterEach(() => {
  for (const child of running) process.kill(-child.pid!, 'SIGKILL');
});

/** The service logs its URL once it listens; port 0 lets the OS pick a free one. */
async function listeningUrl(child: ChildProcessWithoutNullStreams, timeoutMs = 30_000): Promise<string> {
  const reader = new LineReader(child);
  const line = await reader.waitFor((l) => l.includes('"ledger-api listening"'), timeoutMs);
  return (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1');
}

describe('the service on a fresh machine', () => {
  let dir: string;
  beforeAll(() => {
    buildDist();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('`npm start` creates the data directory and answers /health/ready with 200 within 30 s, naming the store', async () => {
    const dataDir = join(dir, 'data');
    const started = Date.now();
    const child = start('npm', ['start'], { LEDGER_DATA_DIR: dataDir });
    try {
      const url = await listeningUrl(child);
      const response = await fetch(`${url}/health/ready`);
      const elapsed = Date.now() - started;
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ready',
        store: { kind: 'sqlite', reachable: true },
      });
      expect(elapsed).toBeLessThan(30_000);
      expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(true);
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited(child);
    }
  });

  it('serves Prometheus metrics', async () => {
    const child = start(process.execPath, [MAIN], { LEDGER_DATA_DIR: dir });
    try {
      const url = await listeningUrl(child);
      await fetch(`${url}/health/ready`);
      const response = await fetch(`${url}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const body = await response.text();
      expect(body).toMatch(
        /ledger_http_request_duration_seconds_count\{method="GET",route="\/health\/ready",status="200"\} 1/,
      );
      expect(body).toContain('process_resident_memory_bytes');
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('on SIGTERM drains, closes the store and exits 0', async () => {
    const child = start(process.execPath, [MAIN], { LEDGER_DATA_DIR: dir });
    const reader = new LineReader(child);
    await listeningUrl(child);
    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(reader.lines.some((l) => l.includes('shutting down'))).toBe(true);
    expect(reader.lines.some((l) => l.includes('stopped cleanly'))).toBe(true);
    // better-sqlite3 removes the WAL file only when the last connection closes cleanly.
    expect(existsSync(join(dir, 'events.sqlite-wal'))).toBe(false);
  });

  it('on SIGTERM finishes the ingest requests in flight and every acknowledged event is stored', async () => {
    const child = start(process.execPath, [MAIN], { LEDGER_DATA_DIR: dir });
    const url = await listeningUrl(child);
    const token = await (
      await LocalIssuer.open(join(dir, 'keys'), 'govledger-local', 'govledger')
    ).issue({ id: 'ehr-gateway', role: 'emitter', tenantId: 'default' }, 600);
    let terminatedAt = Infinity;
    const batch = () =>
      Array.from({ length: 500 }, () => ({
        eventId: randomUUID(),
        type: 'DataAccessed',
        occurredAt: '2026-03-14T09:00:00Z',
        data: {
          actor: 'dr.ada',
          datasetId: 'icu-vitals',
          action: 'R',
          purposeOfUse: 'TREAT',
          outcome: 'success',
        },
      }));
    const requests = Array.from({ length: 16 }, async () => {
      const events = batch();
      const response = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ events }),
      });
      const body = (await response.json()) as {
        accepted: number;
        results?: Array<{ ledgerEventId: string }>;
      };
      return {
        status: response.status,
        accepted: body.accepted,
        // The ids the ledger stored them under (derived per tenant from the emitter's).
        ids: (body.results ?? []).map((r) => r.ledgerEventId),
        answeredAfterTerm: Date.now() > terminatedAt,
      };
    });
    await Promise.race(requests);
    terminatedAt = Date.now();
    child.kill('SIGTERM');
    const outcomes = await Promise.allSettled(requests);
    expect(await exited(child)).toEqual({ code: 0, signal: null });

    const acknowledged = outcomes.flatMap((o) =>
      o.status === 'fulfilled' && o.value.status === 200 ? [o.value] : [],
    );
    // Requests the server had taken were answered after SIGTERM, not cut off.
    expect(acknowledged.filter((a) => a.answeredAfterTerm).length).toBeGreaterThan(0);
    const store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    try {
      for (const { ids, accepted } of acknowledged) {
        expect(accepted).toBe(500);
        expect(await store.findByEventIds(ids)).toHaveLength(500);
      }
    } finally {
      await store.close();
    }
  });

  it('refuses to start on a bad setting, naming the variable and the rule', async () => {
    const child = start(process.execPath, [MAIN], {
      LEDGER_DATA_DIR: dir,
      LEDGER_STORE: 'oracle',
      LEDGER_SQLITE_SYNC: 'OFF',
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    expect(await exited(child)).toEqual({ code: 78, signal: null });
    expect(stderr).toContain('LEDGER_STORE must be one of: sqlite, postgres');
    expect(stderr).toContain('LEDGER_SQLITE_SYNC is not a setting this version knows');
  });

  it('requires DATABASE_URL for the PostgreSQL store and never echoes it', async () => {
    const child = start(process.execPath, [MAIN], {
      LEDGER_STORE: 'postgres',
      DATABASE_URL: 'mysql://user:s3cret@host/db',
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    expect((await exited(child)).code).toBe(78);
    expect(stderr).toContain('DATABASE_URL must be a postgres:// connection URL');
    expect(stderr).not.toContain('s3cret');
  });

  describe('on PostgreSQL', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database.drop());

    it('runs the migrations at start and reports ready on postgres', async () => {
      const child = start(process.execPath, [MAIN], { LEDGER_STORE: 'postgres', DATABASE_URL: database.url });
      try {
        const url = await listeningUrl(child);
        const response = await fetch(`${url}/health/ready`);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({
          status: 'ready',
          store: { kind: 'postgres', reachable: true },
        });
      } finally {
        child.kill('SIGTERM');
        expect((await exited(child)).code).toBe(0);
      }
    });
  });
});
