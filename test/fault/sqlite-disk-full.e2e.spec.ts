import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestLoad, newBatch } from './support/ingest-load';
import {
  expectLedgerConsistent,
  expectLogIntact,
  readLog,
  ledgerEnv,
  type LedgerTarget,
} from './support/ledger-checks';
import { during, LedgerProcess, reservedPort, sleep, tokens } from './support/ledger-process';

/** Mounting a filesystem needs root; elsewhere the test says why it did not run. */
const CAN_MOUNT = process.getuid?.() === 0;
if (!CAN_MOUNT)
  console.log('SQLite disk full: skipped. It mounts a 16 MB tmpfs for the data directory, which needs root.');

/** Fills the volume to the last byte; returns the filler's path, whose removal gives the space back. */
function fillVolume(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // What a 64 KiB chunk left over, byte by byte, so not even a page is free.
  const tail = openSync(file, 'a');
  try {
    for (;;) writeSync(tail, Buffer.alloc(512, 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(tail);
  }
  return file;
}

describe('SQLite disk full', () => {
  (CAN_MOUNT ? it : it.skip)(
    'refuses writes with 507 STORAGE_FULL naming the disk, stores nothing half-written, and takes writes again once space is freed',
    async () => {
      const volume = mkdtempSync(join(tmpdir(), 'ledger-fault-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', volume]);
      const target: LedgerTarget = { kind: 'sqlite', dataDir: join(volume, 'data') };
      let service: LedgerProcess | undefined;
      let load: IngestLoad | undefined;
      try {
        const started = await LedgerProcess.start(ledgerEnv(target), await reservedPort());
        service = started;
        const { emitter, admin } = await tokens(target.dataDir);
        const emitters = new IngestLoad(started.url, emitter, 16, admin);
        load = emitters;
        const probe = new IngestLoad(started.url, emitter, 0);
        await during('SQLite disk full', started, async () => {
          emitters.start();
          await emitters.acknowledgedMore(300);

          const filledAt = Date.now();
          const filler = fillVolume(volume);
          const refusedBefore = emitters.refusals.length;
          // Full long enough for the projections and the sealer to meet the full disk too, not only the appends.
          while (emitters.refusals.length - refusedBefore < 20 || Date.now() - filledAt < 2000) {
            if (Date.now() - filledAt > 60_000)
              throw new Error(
                `writes still succeed 60 s after the disk filled up (${emitters.refusals.length - refusedBefore} refused)`,
              );
            await sleep(50);
          }
          await emitters.stop();
          const fullFor = Date.now() - filledAt;

          // Refused cleanly: a status and a code a client can act on, and words an operator understands.
          const refusals = emitters.refusals.slice(refusedBefore);
          const otherwise = refusals.filter(
            (r) => r.status !== 507 || r.code !== 'STORAGE_FULL' || !/disk is full/.test(r.message ?? ''),
          );
          expect(
            otherwise
              .slice(0, 5)
              .map(({ route, status, code, message }) => ({ route, status, code, message })),
          ).toEqual([]);

          // Nothing half-written: what was acknowledged is there whole, and no refused batch left a single event behind.
          const rows = await readLog(target);
          expectLogIntact(rows, emitters.acknowledged);
          const stored = new Set(rows.map((r) => r.eventId));
          const refusedIds = refusals
            .flatMap((r) => r.eventIds)
            .filter((id) => !emitters.acknowledged.has(id));
          expect(refusedIds.length).toBeGreaterThan(0);
          expect(refusedIds.filter((id) => stored.has(id))).toEqual([]);

          // Space comes back; the same process takes writes again, with no restart.
          unlinkSync(filler);
          const freedAt = Date.now();
          let recoveredAt = 0;
          while (Date.now() - freedAt < 30_000) {
            if (await probe.send(newBatch())) {
              recoveredAt = Date.now();
              break;
            }
            await sleep(100);
          }
          expect(recoveredAt).toBeGreaterThan(0);
          // The refused batches are resent, as an emitter would, and accepted now.
          emitters.start();
          await emitters.acknowledgedMore(300);
          await emitters.stop();
          expect(emitters.unacknowledged.filter((id) => refusedIds.includes(id))).toEqual([]);
          expect(emitters.rejectedItems).toEqual([]);

          const { events } = await expectLedgerConsistent(target, started, [
            ...emitters.acknowledged,
            ...probe.acknowledged,
          ]);
          console.log(
            `SQLite disk full: ${refusals.length} requests refused with 507 over ${(fullFor / 1000).toFixed(1)} s on a full 16 MB tmpfs; ` +
              `writes accepted again ${((recoveredAt - freedAt) / 1000).toFixed(1)} s after the space was freed; ${events} events stored`,
          );
        });
      } finally {
        await load?.stop();
        await service?.stop();
        try {
          execFileSync('umount', [volume]);
        } catch {
          // Still busy (a child that has not let go yet): detach it now, the kernel frees it when the last file closes.
          execFileSync('umount', ['-l', volume]);
        }
        rmSync(volume, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
