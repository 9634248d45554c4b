/**
 * What the sealer costs: append latency with and without it running in the
 * same process (as it does inside the API), whether it keeps up with
 * sustained appends, its catch-up throughput, and `govledger verify`'s speed.
 * Not part of `npm test`; run it alone on a quiet machine:
 *
 *   node -r @swc-node/register test/bench/sealer-cost.ts [sqlite|postgres ...]
 *
 * PostgreSQL runs against TEST_POSTGRES_URL (default postgres@127.0.0.1:5432).
 */
import { LocalIssuer } from '@ledger/auth';
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { LedgerKeys, MerkleLog, verifyLedger } from '@ledger/transparency-log';
import { openReadStore, type ReadStore } from '@ledger/read-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@ledger/runtime';
import { EVENT_STORE } from '../../apps/ledger-api/src/store/event-store.module';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';
import { newEvent } from '../support/events';
import { createTestDatabase } from '../support/postgres';

type Kind = 'sqlite' | 'postgres';

// Latency is measured in short blocks of appends on one ledger, the sealer
// stopped in one block and running in the next, order alternating: on a
// shared machine, load drifts more between separate runs than the sealer costs.
const BLOCK_APPENDS = 300;
const BLOCK_PAIRS = 12;
const WRITERS = 8;
const SUSTAINED_MS = 5_000;
const CATCH_UP_EVENTS = 100_000;
const ORIGIN = 'bench.local/ledger';

interface Ledger {
  store: EventStore;
  readStore: ReadStore;
  keys: LedgerKeys;
  dispose(): Promise<void>;
}

async function freshLedger(kind: Kind): Promise<Ledger> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const keys = LedgerKeys.open({ keysDir: join(dir, 'keys'), origin: ORIGIN });
  if (kind === 'sqlite') {
    // The service's defaults: FULL for events, NORMAL for the disposable read store.
    const store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    const readStore = await openReadStore({ kind: 'sqlite', sqliteFile: join(dir, 'read.sqlite') });
    return {
      store,
      readStore,
      keys,
      dispose: async () => (
        await readStore.close(),
        await store.close(),
        rmSync(dir, { recursive: true, force: true })
      ),
    };
  }
  const database = await createTestDatabase('ledger_bench');
  const store = await PostgresEventStore.open(database.url);
  const readStore = await openReadStore({ kind: 'postgres', databaseUrl: database.url });
  return {
    store,
    readStore,
    keys,
    async dispose() {
      await readStore.close();
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sealerOn(ledger: Ledger): MerkleLog {
  return new MerkleLog({ ...ledger, origin: ORIGIN, checkpointEveryEvents: 1000, checkpointEveryMs: 10_000 });
}

const event = (n: number) =>
  newEvent(
    { n, purpose: 'TREATMENT', dataset: 'ds-sepsis-2025', note: 'scored by sepsis predictor v3' },
    { type: 'DataAccessed' },
  );

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(latenciesMs: number[]): { mean: number; p50: number; p95: number; p99: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { mean, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

async function appendBlock(ledger: Ledger, offset: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < BLOCK_APPENDS; i++) {
    const started = process.hrtime.bigint();
    await ledger.store.append(`system-${(offset + i) % 20}`, [event(offset + i)], 'any');
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return latencies;
}

interface PairedCost {
  without: ReturnType<typeof summary>;
  withSealer: ReturnType<typeof summary>;
  /** Median over pairs of (with - without) / without, per block mean and p50. */
  meanCost: number;
  p50Cost: number;
}

/** Each block with the sealer against its paired block without: the median of the pairs' relative costs. */
function pairedCost(without: number[][], withSealer: number[][]): PairedCost {
  const costs = without.map((block, i) => {
    const [a, b] = [summary(block), summary(withSealer[i])];
    return { mean: (b.mean - a.mean) / a.mean, p50: (b.p50 - a.p50) / a.p50 };
  });
  return {
    without: summary(without.flat()),
    withSealer: summary(withSealer.flat()),
    meanCost: median(costs.map((c) => c.mean)),
    p50Cost: median(costs.map((c) => c.p50)),
  };
}

interface PairedLatency extends PairedCost {
  maxLagAtBlockEnd: number;
}

async function pairedLatency(kind: Kind): Promise<PairedLatency> {
  const ledger = await freshLedger(kind);
  const sealer = sealerOn(ledger);
  try {
    await appendBlock(ledger, 0);
    const without: number[][] = [];
    const withSealer: number[][] = [];
    let maxLagAtBlockEnd = 0;
    for (let pair = 0; pair < BLOCK_PAIRS; pair++) {
      for (const sealed of pair % 2 === 0 ? [false, true] : [true, false]) {
        const offset = (2 * pair + (sealed ? 1 : 0) + 1) * BLOCK_APPENDS;
        if (!sealed) {
          without.push(await appendBlock(ledger, offset));
          continue;
        }
        // Caught up before the block starts, so the block measures keeping up, not catching up.
        await sealer.start();
        await sealer.runner.waitFor(await ledger.store.headPosition(), 60_000);
        withSealer.push(await appendBlock(ledger, offset));
        maxLagAtBlockEnd = Math.max(maxLagAtBlockEnd, (await sealer.status()).lagEvents);
        await sealer.stop(0);
      }
    }
    return { ...pairedCost(without, withSealer), maxLagAtBlockEnd };
  } finally {
    await sealer.stop(0);
    await ledger.dispose();
  }
}

/**
 * What an emitter sees: `POST /v1/events` with one event, to the real
 * service, whose sealer is stopped for one block and running the next (the
 * projections run throughout, as they always do).
 */
async function pairedHttpLatency(kind: Kind): Promise<PairedCost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-api-'));
  const database = kind === 'postgres' ? await createTestDatabase('ledger_bench_api') : undefined;
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'warn',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_STORE: kind,
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const { app, url } = await startLedgerApi(config);
  const base = url.replace('[::1]', '127.0.0.1');
  const sealer = app.get(MerkleLog);
  const issuer = await LocalIssuer.open(join(dataDir, 'keys'), config.AUTH_ISSUER, config.AUTH_AUDIENCE);
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${await issuer.issue({ id: 'ehr-gateway', role: 'emitter', tenantId: 'default' }, 3600)}`,
  };
  const block = async () => {
    const latencies: number[] = [];
    for (let i = 0; i < BLOCK_APPENDS; i++) {
      const body = JSON.stringify({
        events: [
          {
            eventId: randomUUID(),
            type: 'DataAccessed',
            occurredAt: '2026-03-14T09:00:00Z',
            purposeOfUse: 'TREAT',
            data: {
              actor: `dr.${i % 7}`,
              datasetId: 'icu-vitals',
              patientId: `MRN-${i % 50}`,
              action: 'R',
              purposeOfUse: 'TREAT',
              outcome: 'success',
            },
          },
        ],
      });
      const started = process.hrtime.bigint();
      const response = await fetch(`${base}/v1/events`, { method: 'POST', headers, body });
      if (response.status !== 200)
        throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return latencies;
  };
  try {
    await block();
    const without: number[][] = [];
    const withSealer: number[][] = [];
    let sealing = true;
    for (let pair = 0; pair < BLOCK_PAIRS; pair++) {
      for (const sealed of pair % 2 === 0 ? [false, true] : [true, false]) {
        if (!sealed) {
          if (sealing) await sealer.runner.stop();
          sealing = false;
          without.push(await block());
          continue;
        }
        if (!sealing) await sealer.runner.start();
        sealing = true;
        await sealer.runner.waitFor(await app.get<EventStore>(EVENT_STORE).headPosition(), 60_000);
        withSealer.push(await block());
      }
    }
    return pairedCost(without, withSealer);
  } finally {
    await app.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function sustained(
  kind: Kind,
  withSealer: boolean,
): Promise<{ appendsPerSecond: number; p99: number; maxLag: number; secondsToCatchUp: number }> {
  const ledger = await freshLedger(kind);
  const sealer = withSealer ? sealerOn(ledger) : undefined;
  await sealer?.start();
  try {
    const latencies: number[] = [];
    let maxLag = 0;
    const deadline = Date.now() + SUSTAINED_MS;
    let watching: Promise<unknown> = Promise.resolve();
    const watcher = setInterval(
      () =>
        (watching = watching.then(() =>
          sealer?.status().then((s) => (maxLag = Math.max(maxLag, s.lagEvents))),
        )),
      250,
    );
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; Date.now() < deadline; i++) {
          const started = process.hrtime.bigint();
          await ledger.store.append(`system-${w}`, [event(i)], 'any');
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }),
    );
    clearInterval(watcher);
    // A status query still in flight would otherwise hold a connection while the database is dropped.
    await watching;
    const caughtUpFrom = Date.now();
    await sealer?.runner.waitFor(await ledger.store.headPosition(), 120_000);
    return {
      appendsPerSecond: latencies.length / (SUSTAINED_MS / 1000),
      p99: summary(latencies).p99,
      maxLag,
      secondsToCatchUp: sealer ? (Date.now() - caughtUpFrom) / 1000 : 0,
    };
  } finally {
    await sealer?.stop(0);
    await ledger.dispose();
  }
}

async function catchUpAndVerify(kind: Kind): Promise<{ sealPerSecond: number; verifyPerSecond: number }> {
  const ledger = await freshLedger(kind);
  try {
    for (let written = 0; written < CATCH_UP_EVENTS; written += 500) {
      await ledger.store.append(
        `system-${(written / 500) % 50}`,
        Array.from({ length: 500 }, (_, i) => event(written + i)),
        'any',
      );
    }
    const sealer = sealerOn(ledger);
    let started = Date.now();
    await sealer.start();
    await sealer.runner.waitFor(BigInt(CATCH_UP_EVENTS), 600_000);
    const sealPerSecond = CATCH_UP_EVENTS / ((Date.now() - started) / 1000);
    await sealer.stop(0);

    started = Date.now();
    const report = await verifyLedger({
      store: ledger.store,
      readStore: ledger.readStore,
      verifiers: ledger.keys.verifiers(),
      origin: ORIGIN,
    });
    if (report.damage.length > 0 || report.events !== CATCH_UP_EVENTS)
      throw new Error(`verify did not pass: ${JSON.stringify(report.damage[0])}`);
    return { sealPerSecond, verifyPerSecond: CATCH_UP_EVENTS / ((Date.now() - started) / 1000) };
  } finally {
    await ledger.dispose();
  }
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function bench(kind: Kind): Promise<void> {
  process.stdout.write(`\n== ${kind} ==\n`);
  const paired = await pairedLatency(kind);
  const pct = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`;
  process.stdout.write(
    `single-event appends, one writer (${BLOCK_PAIRS} pairs of ${BLOCK_APPENDS}-append blocks, sealer stopped / running):\n` +
      `  without sealer: mean ${ms(paired.without.mean)}  p50 ${ms(paired.without.p50)}  p95 ${ms(paired.without.p95)}  p99 ${ms(paired.without.p99)}\n` +
      `  with sealer:    mean ${ms(paired.withSealer.mean)}  p50 ${ms(paired.withSealer.p50)}  p95 ${ms(paired.withSealer.p95)}  p99 ${ms(paired.withSealer.p99)}  (lag at a block's end: at most ${paired.maxLagAtBlockEnd} events)\n` +
      `  cost, median over pairs: mean ${pct(paired.meanCost)}, p50 ${pct(paired.p50Cost)}\n`,
  );
  const http = await pairedHttpLatency(kind);
  process.stdout.write(
    `POST /v1/events with one event, one client (${BLOCK_PAIRS} pairs of ${BLOCK_APPENDS}-request blocks, sealer stopped / running):\n` +
      `  without sealer: mean ${ms(http.without.mean)}  p50 ${ms(http.without.p50)}  p95 ${ms(http.without.p95)}  p99 ${ms(http.without.p99)}\n` +
      `  with sealer:    mean ${ms(http.withSealer.mean)}  p50 ${ms(http.withSealer.p50)}  p95 ${ms(http.withSealer.p95)}  p99 ${ms(http.withSealer.p99)}\n` +
      `  cost, median over pairs: mean ${pct(http.meanCost)}, p50 ${pct(http.p50Cost)}\n`,
  );
  const loadWithout: Awaited<ReturnType<typeof sustained>>[] = [];
  const loadWith: Awaited<ReturnType<typeof sustained>>[] = [];
  for (let round = 0; round < 3; round++) {
    loadWithout.push(await sustained(kind, false));
    loadWith.push(await sustained(kind, true));
  }
  process.stdout.write(
    `sustained appends, ${WRITERS} writers for ${SUSTAINED_MS / 1000} s (3 rounds, medians):\n` +
      `  without sealer: ${median(loadWithout.map((r) => r.appendsPerSecond)).toFixed(0)} appends/s, p99 ${ms(median(loadWithout.map((r) => r.p99)))}\n` +
      `  with sealer:    ${median(loadWith.map((r) => r.appendsPerSecond)).toFixed(0)} appends/s, p99 ${ms(median(loadWith.map((r) => r.p99)))}; ` +
      `sealer lag at most ${Math.max(...loadWith.map((r) => r.maxLag))} events, caught up at most ${Math.max(...loadWith.map((r) => r.secondsToCatchUp)).toFixed(2)} s after the last append\n`,
  );
  const { sealPerSecond, verifyPerSecond } = await catchUpAndVerify(kind);
  process.stdout.write(
    `sealer catch-up over ${CATCH_UP_EVENTS} events: ${sealPerSecond.toFixed(0)} events/s\n`,
  );
  process.stdout.write(
    `govledger verify over ${CATCH_UP_EVENTS} events: ${verifyPerSecond.toFixed(0)} events/s\n`,
  );
}

async function main(): Promise<void> {
  const kinds = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['sqlite', 'postgres']) as Kind[];
  for (const kind of kinds) await bench(kind);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
