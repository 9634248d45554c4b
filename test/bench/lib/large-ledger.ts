import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SeedReport } from '../../../apps/govledger-cli/src/demo/demo-organisation';
import type { Measured } from './child';
import type * as CatchUpModule from './catch-up';
import type * as Seed from './large-ledger-seed';
import { progress } from './progress';
import { rate, type BenchContext } from './report';
import type { ApiReady } from './serve-api';

export interface LargeLedger {
  /** The service's data directory: events.sqlite, read.sqlite caught up, keys. */
  dir: string;
  /** Every event in the store: the governance, then the data accesses. */
  events: number;
  accessEvents: number;
  governance: SeedReport;
  /** Catching up from zero, each in its own process, one after the other. */
  catchUp: Record<CatchUpModule.Consumers, Measured<CatchUpModule.CatchUp>>;
}

let built: { key: string; ledger: Promise<LargeLedger> } | undefined;

/**
 * A ledger the size the issue asks about (1M events; 50k in quick mode, whose
 * whole run must stay under 2 minutes), made once per run and shared by the
 * scenarios that read it: making it is set-up, not what they measure. The
 * demo organisation's governance goes in through the service's mutations; its
 * data accesses, almost all of the events, straight into the store. The read
 * models are then caught up from zero, which the projection scenario reports
 * and the GraphQL scenario needs.
 */
export function largeLedger(ctx: BenchContext): Promise<LargeLedger> {
  const key = `${ctx.dataDir} ${ctx.quick}`;
  if (built?.key !== key) built = { key, ledger: build(ctx) };
  return built.ledger;
}

async function build({ quick, dataDir, children }: BenchContext): Promise<LargeLedger> {
  const dir = mkdtempSync(join(dataDir, 'large-'));
  const accessEvents = quick ? 50_000 : 1_000_000;

  progress("large ledger: the demo organisation's governance, through the service's GraphQL mutations");
  const api = await children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir: dir });
  let governance: SeedReport;
  try {
    governance = (
      await children.run<typeof Seed, 'seedGovernance'>('lib/large-ledger-seed', 'seedGovernance', {
        dataDir: dir,
        url: api.ready.url,
      })
    ).figures;
  } finally {
    await api.stop();
  }

  progress(`large ledger: ${rate(accessEvents)} of the demo's data accesses, straight into the store`);
  const seeded = await children.run<typeof Seed, 'appendAccesses'>(
    'lib/large-ledger-seed',
    'appendAccesses',
    { dataDir: dir, count: accessEvents },
  );
  progress(
    `large ledger: appended in ${seeded.figures.seconds.toFixed(1)} s (${rate(accessEvents / seeded.figures.seconds)} events/s)`,
  );

  // The service projected and sealed the governance as it was recorded: start the read store afresh, so catch-up starts at zero.
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `read.sqlite${suffix}`), { force: true });
  const catchUp = {} as LargeLedger['catchUp'];
  for (const consumers of ['projections', 'sealer'] as const) {
    progress(`large ledger: ${consumers} catching up from zero`);
    catchUp[consumers] = await children.run<typeof CatchUpModule, 'catchUp'>('lib/catch-up', 'catchUp', {
      dataDir: dir,
      consumers,
    });
    const { figures, peakRssMb } = catchUp[consumers];
    progress(
      `large ledger: ${consumers} caught up on ${rate(figures.events)} events in ${figures.seconds.toFixed(1)} s (${rate(figures.eventsPerSecond)} events/s, ${Math.round(peakRssMb)} MB)`,
    );
  }
  return { dir, events: catchUp.projections.figures.events, accessEvents, governance, catchUp };
}
