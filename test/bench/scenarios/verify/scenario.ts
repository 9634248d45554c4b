import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from '../../lib/progress';
import { mb, rate, versus, type BenchContext, type Scenario } from '../../lib/report';
import type * as Measure from './measure';

const MODULE = 'scenarios/verify/measure';
const TARGET = 0.2;

export const verifyScenario: Scenario = {
  name: 'verify',
  async run({ quick, dataDir, children }: BenchContext) {
    const dir = mkdtempSync(join(dataDir, 'verify-'));
    const file = join(dir, 'events.sqlite');
    try {
      const size = quick ? 20_000 : 200_000;
      progress(`verify: seeding a ledger of ${rate(size)} events`);
      await children.run<typeof Measure, 'seedStore'>(MODULE, 'seedStore', { file, events: size });
      progress('verify: re-deriving hashes, chains and the Merkle root in process');
      const verify = await children.run<typeof Measure, 'verifyInProcess'>(MODULE, 'verifyInProcess', { file });
      progress('verify: raw SHA-256 over the same canonical bytes');
      const raw = await children.run<typeof Measure, 'rawSha256'>(MODULE, 'rawSha256', { file });
      if (raw.figures.events !== verify.figures.events) throw new Error(`verify saw ${verify.figures.events} events, the raw pass ${raw.figures.events}`);
      const MiB = raw.figures.bytes / 2 ** 20;
      const verifyRate = MiB / verify.figures.seconds;
      const rawRate = MiB / raw.figures.seconds;
      return {
        figures: {
          events: verify.figures.events,
          canonicalBytes: raw.figures.bytes,
          verify: { mibPerSecond: verifyRate, eventsPerSecond: verify.figures.events / verify.figures.seconds, peakRssMb: verify.peakRssMb, merkleRoot: verify.figures.root },
          rawSha256: { mibPerSecond: rawRate, peakRssMb: raw.peakRssMb },
          verifyToRaw: verifyRate / rawRate,
          verifyBundle: 'not measured: the repository has no evidence bundle writer or verifier yet',
        },
        tables: [
          {
            title: `Verify, ${rate(verify.figures.events)} events (${MiB.toFixed(1)} MiB canonical), MiB/s`,
            columns: ['what', 'MiB/s', 'events/s', 'raw SHA-256 MiB/s', 'ratio', 'peak RSS MB'],
            rows: [
              ['verify, in process', verifyRate.toFixed(1), rate(verify.figures.events / verify.figures.seconds), rawRate.toFixed(0), versus(verifyRate / rawRate, TARGET), mb(verify.peakRssMb)],
              ['verify-bundle', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'],
            ],
            notes: [
              '`govledger verify` is not built yet: this is its in-process equivalent over SqliteEventStore.readAll: each event hash',
              'recomputed from its RFC 8785 form, each stream chain and the gapless positions checked, the RFC 9162 root folded.',
              'raw SHA-256: node:crypto over the same canonical bytes (checked to hash to the stored hashes), in 4 MiB chunks, hashing alone timed.',
              'verify-bundle: not measured, the repository has no evidence bundle writer or verifier yet.',
            ],
          },
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
