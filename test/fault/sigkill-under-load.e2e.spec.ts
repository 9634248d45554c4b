import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/postgres';
import { IngestLoad } from './support/ingest-load';
import { expectLedgerConsistent, ledgerEnv, type LedgerTarget } from './support/ledger-checks';
import { during, LedgerProcess, reservedPort, sleep, tokens } from './support/ledger-process';

const KILLS = 10;

/**
 * The real service under 16 concurrent emitters (single events and batches)
 * and a client registering AI systems, killed with SIGKILL at a random
 * moment of the load, ten times, restarted after each kill and checked.
 */
async function killUnderLoad(target: LedgerTarget): Promise<void> {
  const started = Date.now();
  const port = await reservedPort();
  const env = ledgerEnv(target);
  let service = await LedgerProcess.start(env, port);
  const { emitter, admin } = await tokens(target.dataDir);
  const load = new IngestLoad(service.url, emitter, 16, admin);
  const rounds: number[] = [];
  try {
    for (let kill = 1; kill <= KILLS; kill++) {
      const roundStarted = Date.now();
      load.start();
      // The kill lands while the load is in full swing, at a random moment of it.
      await during(`before kill ${kill}`, service, () => load.acknowledgedMore(100));
      await sleep(Math.random() * 1000);
      const unansweredBefore = load.unanswered;
      await service.kill();
      await load.stop();
      // Requests were in flight when the process died (the kill hit the load, not a lull); their batches are resent next round.
      expect(load.unanswered - unansweredBefore).toBeGreaterThan(0);

      service = await LedgerProcess.start(env, port);
      const current = service;
      await during(`after kill ${kill}`, current, () =>
        expectLedgerConsistent(target, current, load.acknowledged),
      );
      rounds.push(Date.now() - roundStarted);
    }
    expect(load.rejectedItems).toEqual([]);
    // While the service was up it answered nothing but 200: a kill shows as no answer at all, never as an error.
    expect(load.refusals.map(({ route, status, code }) => ({ route, status, code }))).toEqual([]);
    console.log(
      `SIGKILL under load (${target.kind}): ${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(rounds ${rounds.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s); ${load.acknowledged.size} events acknowledged over ${load.requests} requests, ` +
        `${load.unanswered} requests cut off by kills, ${load.duplicates} resent items had committed before the kill that cut them off`,
    );
  } finally {
    await load.stop();
    await service.stop();
  }
}

describe('SIGKILL under concurrent ingest', () => {
  it('sqlite: after each of 10 kills every acknowledged event is stored once, positions are gapless, projections equal a clean rebuild and verify passes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-fault-kill-'));
    try {
      await killUnderLoad({ kind: 'sqlite', dataDir });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  it('postgres: after each of 10 kills every acknowledged event is stored once, positions are gapless, projections equal a clean rebuild and verify passes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-fault-kill-'));
    const database = await createTestDatabase('ledger_fault_kill');
    try {
      await killUnderLoad({ kind: 'postgres', dataDir, databaseUrl: database.url });
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
