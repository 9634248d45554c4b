import { SqliteEventStore } from '@ledger/event-store';
import { join } from 'node:path';
import { loadConfig } from '@ledger/runtime';
import { startLedgerApi } from '../../../apps/ledger-api/src/bootstrap';
import type { Lifecycle } from './child-entry';
import { serviceEnv } from './service-env';
import { STREAM } from './workload';

export interface ApiReady {
  url: string;
}

/**
 * The real service, wired exactly as `npm start` wires it (ingest, the
 * projections and the sealer beside it), on embedded SQLite with
 * synchronous=FULL in `dataDir`. Runs in its own child so its peak RSS is the
 * service's alone; reports how many events the emitter's stream (`stream`, the
 * DataAccessed one by default) holds once stopped, and the CPU it used while serving.
 */
export async function serveApi(
  params: { dataDir: string; checkpointEveryMs?: number; stream?: string },
  lifecycle: Lifecycle,
): Promise<{ stored: number; refusalEvents: number; cpuSeconds: number }> {
  const config = loadConfig(serviceEnv(params.dataDir, params.checkpointEveryMs));
  const { app, url } = await startLedgerApi(config);
  lifecycle.ready({ url } satisfies ApiReady);
  const cpuAtReady = process.cpuUsage();
  // The parent drives its load over HTTP; the only thing it asks of this child is to stop.
  await lifecycle.serve(async () => undefined);
  // Counted after close, which first lets the requests still in flight finish.
  await app.close();
  // The service's CPU (all its threads) while serving: on a shared machine a steadier figure than its rate.
  const cpu = process.cpuUsage(cpuAtReady);
  const store = await SqliteEventStore.open(join(params.dataDir, 'events.sqlite'));
  try {
    // The emitter's stream; the service also records events of its own elsewhere, such as the refusals it counted.
    const last = async (stream: string) => {
      for await (const event of store.readStream(stream, { direction: 'backwards', limit: 1 }))
        return event.revision + 1;
      return 0;
    };
    return {
      stored: await last(params.stream ?? STREAM),
      refusalEvents: await last('unauthenticated/ledger-self-audit'),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await store.close();
  }
}

/** Resolves once every projection and the sealer report no lag, as /health/ready tells an operator. */
export async function caughtUp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { projections } = (await (await fetch(`${url}/health/ready`)).json()) as {
      projections: Array<{ name: string; lagEvents: number; error?: string }>;
    };
    const failed = projections.find((p) => p.error);
    if (failed) throw new Error(`projection ${failed.name} stopped: ${failed.error}`);
    if (projections.length > 0 && projections.every((p) => p.lagEvents === 0)) return;
    if (Date.now() > deadline)
      throw new Error(
        `projections still behind after ${timeoutMs} ms: ${projections.map((p) => `${p.name} ${p.lagEvents}`).join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
