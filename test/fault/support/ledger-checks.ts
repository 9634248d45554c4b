import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { PROJECTIONS, projectionConsumer } from '@ledger/read-models';
import { openReadStore, ProjectionRunner, type ReadStore } from '@ledger/read-store';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpProjections } from '../../../libs/read-models/src/testing/projection-dump';
import { createTestDatabase, withClient } from '../../support/postgres';
import { type LedgerEnv, type LedgerProcess, runVerify } from './ledger-process';

/** Where one fault test's ledger lives: the service, the CLI and these checks all read the same place. */
export type LedgerTarget =
  { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; dataDir: string; databaseUrl: string };

export function ledgerEnv(target: LedgerTarget): LedgerEnv {
  return target.kind === 'sqlite'
    ? { LEDGER_DATA_DIR: target.dataDir, LEDGER_STORE: 'sqlite' }
    : { LEDGER_DATA_DIR: target.dataDir, LEDGER_STORE: 'postgres', DATABASE_URL: target.databaseUrl };
}

export interface LogRow {
  position: bigint;
  eventId: string;
}

/**
 * The stored log read with plain SQL, not through the store under test, so a
 * bug in the store's own reads cannot hide a bug in its writes.
 */
export async function readLog(target: LedgerTarget): Promise<LogRow[]> {
  if (target.kind === 'sqlite') {
    const db = new Database(join(target.dataDir, 'events.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT position, event_id AS eventId FROM events ORDER BY position')
        .all() as Array<{ position: number; eventId: string }>;
      return rows.map((r) => ({ position: BigInt(r.position), eventId: r.eventId }));
    } finally {
      db.close();
    }
  }
  const { rows } = await withClient(target.databaseUrl, (c) =>
    // Ordered by the bigint column, not by its text form the driver is handed (which would put 10 before 2).
    c.query<{ at: string; eventId: string }>(
      'SELECT position::text AS at, event_id::text AS "eventId" FROM events ORDER BY events.position',
    ),
  );
  return rows.map((r) => ({ position: BigInt(r.at), eventId: r.eventId }));
}

/**
 * Every acknowledged event is stored, none twice, and the global order has no
 * hole: what an emitter and an auditor rely on after any crash. Failures name
 * the first offenders rather than dumping the whole log.
 */
export function expectLogIntact(rows: LogRow[], acknowledged: Iterable<string>): void {
  const ids = new Set(rows.map((r) => r.eventId));
  const missing = [...acknowledged].filter((id) => !ids.has(id));
  expect({ acknowledgedButMissing: missing.slice(0, 5), count: missing.length }).toEqual({
    acknowledgedButMissing: [],
    count: 0,
  });

  const seen = new Set<string>();
  const storedTwice = rows.filter((r) => seen.has(r.eventId) || !seen.add(r.eventId)).map((r) => r.eventId);
  expect({ storedTwice: storedTwice.slice(0, 5) }).toEqual({ storedTwice: [] });

  const firstGap = rows.findIndex((r, i) => r.position !== BigInt(i + 1));
  expect(
    firstGap === -1 ? 'gapless' : `position ${rows[firstGap].position} where ${firstGap + 1} was due`,
  ).toBe('gapless');
}

function openStore(target: LedgerTarget): Promise<EventStore> {
  return target.kind === 'sqlite'
    ? SqliteEventStore.open(join(target.dataDir, 'events.sqlite'))
    : PostgresEventStore.open(target.databaseUrl);
}

type Dump = Record<string, unknown[]>;

/**
 * Read models from scratch: every projection applied once, in order, from
 * position 0 of the same event store into an empty read store of the same
 * kind as the service's, with no crash anywhere. What the service's read
 * models must equal once they have caught up.
 */
export async function cleanRebuild(target: LedgerTarget): Promise<Dump> {
  const store = await openStore(target);
  let readStore: ReadStore | undefined;
  let dispose: () => Promise<void> = async () => undefined;
  try {
    if (target.kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-fault-rebuild-'));
      dispose = async () => rmSync(dir, { recursive: true, force: true });
      readStore = await openReadStore({ kind: 'sqlite', sqliteFile: join(dir, 'read.sqlite') });
    } else {
      const database = await createTestDatabase('ledger_fault_rebuild');
      dispose = () => database.drop();
      readStore = await openReadStore({ kind: 'postgres', databaseUrl: database.url });
    }
    const runners = PROJECTIONS.map(
      (definition) =>
        new ProjectionRunner({
          store,
          readStore: readStore!,
          consumer: projectionConsumer(definition as never),
        }),
    );
    try {
      for (const runner of runners) await runner.start();
      const head = await store.headPosition();
      await Promise.all(runners.map((r) => r.waitFor(head, 120_000)));
      return await dumpProjections(readStore.db);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
  } finally {
    await readStore?.close();
    await store.close();
    await dispose();
  }
}

/** The service's own read models, read where it keeps them. */
export async function serviceProjections(target: LedgerTarget): Promise<Dump> {
  const readStore =
    target.kind === 'sqlite'
      ? await openReadStore({ kind: 'sqlite', sqliteFile: join(target.dataDir, 'read.sqlite') })
      : await openReadStore({ kind: 'postgres', databaseUrl: target.databaseUrl });
  try {
    return await dumpProjections(readStore.db);
  } finally {
    await readStore.close();
  }
}

/** Row-for-row equality, reported as the first rows each side has that the other lacks. */
export function expectSameProjections(service: Dump, rebuilt: Dump): void {
  const differences: Array<{
    table: string;
    onlyInService: unknown[];
    onlyInRebuild: unknown[];
    rows: [number, number];
  }> = [];
  for (const table of new Set([...Object.keys(service), ...Object.keys(rebuilt)])) {
    const ours = service[table] ?? [];
    const clean = rebuilt[table] ?? [];
    if (JSON.stringify(ours) === JSON.stringify(clean)) continue;
    const cleanSet = new Set(clean);
    const ourSet = new Set(ours);
    differences.push({
      table,
      onlyInService: ours.filter((r) => !cleanSet.has(r)).slice(0, 3),
      onlyInRebuild: clean.filter((r) => !ourSet.has(r)).slice(0, 3),
      rows: [ours.length, clean.length],
    });
  }
  expect(differences).toEqual([]);
}

/**
 * Everything a crash or an outage must leave true, checked against the
 * running service once it is quiet: the log holds every acknowledged event
 * once and without holes, the service's projections (and sealer) catch up to
 * the head and then equal a clean rebuild, and `govledger verify` passes.
 */
export async function expectLedgerConsistent(
  target: LedgerTarget,
  service: LedgerProcess,
  acknowledged: Iterable<string>,
): Promise<{ events: number }> {
  const rows = await readLog(target);
  expectLogIntact(rows, acknowledged);
  await service.caughtUp(rows.at(-1)?.position ?? 0n);
  const [verify, rebuilt, ours] = await Promise.all([
    runVerify(ledgerEnv(target)),
    cleanRebuild(target),
    serviceProjections(target),
  ]);
  expect({
    code: verify.code,
    stdout: verify.stdout,
    stderr: verify.code === 0 ? '' : verify.stderr,
  }).toEqual({ code: 0, stdout: expect.stringMatching(/^OK: /), stderr: '' });
  expectSameProjections(ours, rebuilt);
  return { events: rows.length };
}
