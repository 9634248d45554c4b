import { SqliteEventStore } from '@ledger/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLedgerApi } from '../../../apps/ledger-api/src/bootstrap';
import { loadConfig } from '../../../apps/ledger-api/src/config/ledger-config';
import type { Lifecycle } from './child-entry';

export interface ApiReady {
  url: string;
}

/**
 * The real service, wired exactly as `npm start` wires it, on embedded SQLite
 * with synchronous=FULL in a fresh data directory. Runs in its own child so
 * its peak RSS is the service's alone; reports how many events it stored.
 */
export async function serveApi(params: { dataDir: string }, lifecycle: Lifecycle): Promise<{ stored: number }> {
  const dir = mkdtempSync(join(params.dataDir, 'api-'));
  try {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      // Request logging at info would measure pino, not the ledger; errors still show on stderr.
      LOG_LEVEL: 'error',
      LEDGER_DATA_DIR: dir,
      LEDGER_STORE: 'sqlite',
      LEDGER_SQLITE_SYNCHRONOUS: 'FULL',
      LEDGER_PSEUDONYM_KEY: 'b'.repeat(64),
    });
    const { app, url } = await startLedgerApi(config);
    lifecycle.ready({ url } satisfies ApiReady);
    // The parent drives its load over HTTP; the only thing it asks of this child is to stop.
    await lifecycle.serve(async () => undefined);
    // Counted after close, which first lets the requests still in flight finish.
    await app.close();
    const store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    const stored = Number(await store.headPosition());
    await store.close();
    return { stored };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
