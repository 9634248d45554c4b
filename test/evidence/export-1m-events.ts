/*
 * Memory and time of an evidence export at scale; not part of `npm test` (it
 * takes minutes). Run with
 *
 *   node -r @swc-node/register test/evidence/export-1m-events.ts [events=1000000]
 *
 * It starts the service on a fresh SQLite data directory, appends the events
 * (data access on behalf of one AI system) straight to its store while the
 * service's projections and sealer keep up, then runs `govledger export` as a
 * user would, twice: over the first tenth of the events and over all of them,
 * and `govledger verify-bundle` on the large bundle. Each child's peak RSS is
 * read from /proc (VmHWM): if export memory grew with the events, the two
 * exports' peaks would differ by the factor of ten.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@ledger/event-store';
import { loadConfig } from '@ledger/runtime';
import type { EventStore } from '@ledger/event-store';
import type { CheckpointTables, ReadStore } from '@ledger/read-store';
import type { Kysely } from 'kysely';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';
import { EVENT_STORE } from '../../apps/ledger-api/src/store/event-store.module';
import { READ_STORE } from '../../apps/ledger-api/src/read-models/read-store.module';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = 1000;
const SYSTEM = 'big-system';
const START = Date.parse('2026-01-01T00:00:00Z');
const ROOT = join(__dirname, '..', '..');

const metadata = (occurredAt: string): NewEvent['metadata'] => ({
  tenantId: 'default',
  actor: { id: 'bench-emitter', role: 'emitter' },
  source: 'bench-emitter',
  occurredAt,
  correlationId: randomUUID(),
  causationId: randomUUID(),
});

/**
 * Waits until the service's sealer and projections have applied everything
 * appended so far. Appending a million events at once and letting the service
 * catch up in one go exhausts its heap (seen at about 600k events behind, in
 * the catch-up reads), so the script feeds it at a pace it keeps up with.
 */
async function caughtUp(store: EventStore, readStore: ReadStore): Promise<void> {
  const head = await store.headPosition();
  for (;;) {
    const rows = await (readStore.db as Kysely<CheckpointTables>)
      .selectFrom('projection_checkpoints')
      .select(['name', 'position'])
      .execute();
    if (rows.length >= 4 && rows.every((r) => BigInt(r.position) >= head)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function fill(store: EventStore, readStore: ReadStore): Promise<void> {
  await store.append(
    `default/ai-system-${SYSTEM}`,
    [
      {
        eventId: randomUUID(),
        type: 'AiSystemRegistered',
        schemaVersion: 1,
        data: {
          systemId: SYSTEM,
          name: 'Scale test',
          intendedUse: 'memory measurement',
          clinicalDomain: 'none',
          riskClass: 'high',
          supplier: 'in-house',
          sites: ['lab'],
        },
        metadata: metadata(new Date(START).toISOString()),
      },
    ],
    'no_stream',
  );
  for (let n = 0; n < TOTAL; n += BATCH) {
    const events: NewEvent[] = [];
    for (let i = n; i < Math.min(n + BATCH, TOTAL); i++) {
      events.push({
        eventId: randomUUID(),
        type: 'DataAccessed',
        schemaVersion: 1,
        data: {
          actor: `dr.${i % 500}`,
          datasetId: 'icu-vitals',
          patientPseudonym: (i % 9973).toString(16).padStart(64, '0'),
          action: 'R',
          purposeOfUse: 'TREAT',
          outcome: 'success',
          sourceService: 'bench-emitter',
          systemId: SYSTEM,
        },
        metadata: metadata(new Date(START + (i + 1) * 1000).toISOString()),
      });
    }
    await store.append('default/data-access-bench-emitter', events, 'any');
    if ((n / BATCH) % 50 === 49) {
      await caughtUp(store, readStore);
      process.stderr.write(`appended and sealed ${n + events.length}/${TOTAL}\n`);
    }
  }
}

/** Runs the CLI and samples its peak resident set from /proc until it exits. */
function measured(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; seconds: number; peakMb: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'apps/govledger-cli/src/main.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env } },
    );
    let peakKb = 0;
    let stdout = '';
    let stderr = '';
    const sample = () => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // The child has exited between two samples.
      }
    };
    const timer = setInterval(sample, 50);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('exit', () => sample());
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({
        code,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        peakMb: peakKb / 1024,
        stdout,
        stderr,
      });
    });
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'export-scale-'));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'warn',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_STORE: 'sqlite',
    LEDGER_CHECKPOINT_EVERY_MS: '1000',
    LEDGER_CHECKPOINT_EVERY_EVENTS: '100000',
  });
  const { app, url } = await startLedgerApi(config);
  const env = { LEDGER_DATA_DIR: dataDir, USER: 'bench.operator' };
  try {
    const filled = process.hrtime.bigint();
    await fill(app.get<EventStore>(EVENT_STORE), app.get<ReadStore>(READ_STORE));
    process.stderr.write(
      `appended ${TOTAL} events in ${(Number(process.hrtime.bigint() - filled) / 1e9).toFixed(0)} s, sealed and indexed as they came\n`,
    );
    const tenth = new Date(START + (TOTAL / 10 + 1) * 1000).toISOString();
    const small = await measured(
      ['export', '--system', SYSTEM, '--to', tenth, '--out', join(dataDir, 'tenth.tar.gz'), '--wait', '1800'],
      env,
    );
    const large = await measured(
      ['export', '--system', SYSTEM, '--out', join(dataDir, 'all.tar.gz'), '--wait', '1800'],
      env,
    );
    for (const run of [small, large])
      if (run.code !== 0) throw new Error(`export failed: ${run.stderr.slice(-2000)}`);
    const vkey = (await (await fetch(`${url.replace('[::1]', '127.0.0.1')}/v1/keys`)).text()).trim();
    const verify = await measured(['verify-bundle', join(dataDir, 'all.tar.gz'), '--trusted-key', vkey], {});
    if (verify.code !== 0) throw new Error(`verify failed: ${verify.stdout}${verify.stderr}`);
    const events = (run: { stdout: string }) => /: (\d+) events of/.exec(run.stdout)?.[1];
    const mb = (file: string) => (statSync(join(dataDir, file)).size / 1048576).toFixed(0);
    process.stdout.write(
      [
        `export of ${events(small)} events: ${small.seconds.toFixed(1)} s, peak RSS ${small.peakMb.toFixed(0)} MB, bundle ${mb('tenth.tar.gz')} MB (includes waiting for the sealer)`,
        `export of ${events(large)} events: ${large.seconds.toFixed(1)} s, peak RSS ${large.peakMb.toFixed(0)} MB, bundle ${mb('all.tar.gz')} MB`,
        `verify-bundle of ${events(large)} events: ${verify.seconds.toFixed(1)} s, peak RSS ${verify.peakMb.toFixed(0)} MB`,
      ].join('\n') + '\n',
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
