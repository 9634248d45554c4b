import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from '../../lib/progress';
import { rate, rss, versus, type BenchContext, type Scenario } from '../../lib/report';
import { caughtUp, type ApiReady } from '../../lib/serve-api';
import type * as Measure from './measure';

const MODULE = 'scenarios/verify/measure';
const TARGET = 0.2;

export const verifyScenario: Scenario = {
  name: 'verify',
  async run({ quick, dataDir, children }: BenchContext) {
    const dir = mkdtempSync(join(dataDir, 'verify-'));
    const file = join(dir, 'events.sqlite');
    try {
      const size = quick ? 30_000 : 300_000;
      progress(`verify: seeding a ledger of ${rate(size)} events`);
      await children.run<typeof Measure, 'seedStore'>(MODULE, 'seedStore', { file, events: size });
      // The service makes the ledger whole: its keys, its read models and the signed checkpoints verify checks.
      progress('verify: the service seals the ledger and catches its projections up');
      const api = await children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir: dir });
      try {
        await caughtUp(api.ready.url, quick ? 60_000 : 600_000);
      } finally {
        await api.stop();
      }

      progress('verify: govledger verify');
      const env = { PATH: process.env.PATH, LEDGER_STORE: 'sqlite', LEDGER_DATA_DIR: dir };
      const verify = await children.command('apps/govledger-cli/src/main', ['verify'], env);
      if (verify.figures.code !== 0 || !verify.figures.stdout.startsWith('OK:'))
        throw new Error(`govledger verify exited with ${verify.figures.code}: ${verify.figures.stdout}${verify.figures.stderr.slice(-2000)}`);
      progress(`verify: ${verify.figures.stdout.trim().split('\n').join('; ')}`);

      progress('verify: raw SHA-256 over the same canonical bytes');
      const raw = await children.run<typeof Measure, 'rawSha256'>(MODULE, 'rawSha256', { file });
      if (raw.figures.events !== size) throw new Error(`the raw pass read ${raw.figures.events} events, not ${size}`);

      const MiB = raw.figures.bytes / 2 ** 20;
      const verifyRate = MiB / verify.figures.seconds;
      const rawRate = MiB / raw.figures.seconds;
      return {
        figures: {
          events: size,
          canonicalBytes: raw.figures.bytes,
          verify: { seconds: verify.figures.seconds, mibPerSecond: verifyRate, eventsPerSecond: size / verify.figures.seconds, peakRssMb: verify.peakRssMb, report: verify.figures.stdout.trim() },
          rawSha256: { seconds: raw.figures.seconds, mibPerSecond: rawRate, peakRssMb: raw.peakRssMb },
          verifyToRaw: verifyRate / rawRate,
          verifyBundle: 'not measured: the repository has no evidence bundle export or verify-bundle command yet',
        },
        tables: [
          {
            title: `Verify, ${rate(size)} events (${MiB.toFixed(1)} MiB canonical)`,
            columns: ['command', 'seconds', 'MiB/s', 'events/s', 'raw SHA-256 MiB/s', 'ratio', 'peak RSS MB'],
            rows: [
              ['govledger verify', verify.figures.seconds.toFixed(2), verifyRate.toFixed(1), rate(size / verify.figures.seconds), rawRate.toFixed(0), versus(verifyRate / rawRate, TARGET), rss(verify.peakRssMb)],
              ['govledger verify-bundle', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'],
            ],
            notes: [
              'verify: the CLI as a user runs it, its own process from start to exit, on a ledger the service has sealed (keys, checkpoints, read models).',
              'MiB: the RFC 8785 forms of the events, exactly the bytes their hashes cover.',
              'raw SHA-256: node:crypto over those same bytes (checked to hash to the stored hashes), in 4 MiB chunks, hashing alone timed.',
              'verify-bundle: not measured, the repository has no evidence bundle export or verify-bundle command yet.',
            ],
          },
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
