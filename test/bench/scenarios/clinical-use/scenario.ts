import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from '../../lib/progress';
import { ms, rate, rss, type BenchContext, type Scenario } from '../../lib/report';
import type * as Measure from './measure';
import { OUTPUTS_PER_DAY } from './workload';

/** The issue's scale: about ten days of one model at 100,000 outputs a day. */
const FULL_OUTPUTS = 1_000_000;
const QUICK_OUTPUTS = 20_000;

/** BENCH_CLINICAL_OUTPUTS overrides the scale, e.g. 200000 for two days in a few minutes. */
function outputsToRun(quick: boolean): number {
  const asked = process.env.BENCH_CLINICAL_OUTPUTS;
  if (asked === undefined) return quick ? QUICK_OUTPUTS : FULL_OUTPUTS;
  const n = Number(asked);
  if (!Number.isInteger(n) || n < 1000)
    throw new Error(`BENCH_CLINICAL_OUTPUTS must be a whole number of outputs, at least 1000; got ${asked}`);
  return n;
}

export const clinicalUseScenario: Scenario = {
  name: 'clinical-use',
  async run({ quick, dataDir, children }: BenchContext) {
    const outputs = outputsToRun(quick);
    const dir = mkdtempSync(join(dataDir, 'clinical-use-'));
    try {
      progress(
        `clinical-use: ${rate(outputs)} outputs, each with a response and an outcome, appended through the store`,
      );
      const append = await children.run<typeof Measure, 'appendClinicalUse'>(
        'scenarios/clinical-use/measure',
        'appendClinicalUse',
        { dataDir: dir, outputs },
      );
      progress(
        `clinical-use: appended ${rate(append.figures.events)} events in ${append.figures.seconds.toFixed(1)} s`,
      );

      progress('clinical-use: the clinical_use projection catching up from zero');
      const catchUp = await children.run<typeof Measure, 'catchUpClinicalUse'>(
        'scenarios/clinical-use/measure',
        'catchUpClinicalUse',
        { dataDir: dir },
      );
      if (catchUp.figures.rows !== outputs)
        throw new Error(
          `cu_outputs joins ${catchUp.figures.rows} outputs with their response and outcome; ${outputs} were recorded`,
        );
      progress(`clinical-use: caught up in ${catchUp.figures.seconds.toFixed(1)} s`);

      const day = Math.max(0, Math.floor(outputs / OUTPUTS_PER_DAY) - 1);
      progress(`clinical-use: computing day ${day + 1}'s window`);
      const window = await children.run<typeof Measure, 'computeDay'>(
        'scenarios/clinical-use/measure',
        'computeDay',
        { dataDir: dir, day },
      );
      const w = window.figures;
      const windowSeconds = w.readSeconds + w.computeSeconds;
      return {
        figures: {
          outputs,
          append: { ...append.figures, peakRssMb: append.peakRssMb },
          catchUp: { ...catchUp.figures, peakRssMb: catchUp.peakRssMb },
          window: { ...w, seconds: windowSeconds, peakRssMb: window.peakRssMb },
        },
        tables: [
          {
            title: `Clinical use at a 1,000-bed hospital, SQLite: ${rate(outputs)} outputs, each with a clinician response and an outcome${quick ? " (quick mode: the issue's figure is at 1M)" : ''}`,
            columns: ['step', 'events', 'seconds', 'events/s', 'CPU s', 'events/CPU s', 'peak RSS MB'],
            rows: [
              [
                'append (EventStore port, batches of 500)',
                rate(append.figures.events),
                append.figures.seconds.toFixed(1),
                rate(append.figures.eventsPerSecond),
                append.figures.cpuSeconds.toFixed(1),
                rate(append.figures.events / append.figures.cpuSeconds),
                rss(append.peakRssMb),
              ],
              [
                'clinical_use projection, catch-up from zero',
                rate(catchUp.figures.events),
                catchUp.figures.seconds.toFixed(1),
                rate(catchUp.figures.eventsPerSecond),
                catchUp.figures.cpuSeconds.toFixed(1),
                rate(catchUp.figures.events / catchUp.figures.cpuSeconds),
                rss(catchUp.peakRssMb),
              ],
              [
                `one day's window: ${rate(w.outputs)} outputs, ${w.values} values`,
                '—',
                windowSeconds.toFixed(2),
                '—',
                w.cpuSeconds.toFixed(2),
                '—',
                rss(window.peakRssMb),
              ],
            ],
            notes: [
              `Outputs of one sepsis model at ${rate(OUTPUTS_PER_DAY)} a day (${(outputs / OUTPUTS_PER_DAY).toFixed(1)} days), each answered by a clinician`,
              '     five minutes later and followed by an outcome two days later; the outcomes still owed at the end come last.',
              'append: each emitter batch as POST /v1/events stores it (ids derived per tenant, one append of 500 to the emitter',
              "     clinical-use stream), into a fresh events.sqlite with the service's durability (synchronous=FULL); no HTTP.",
              "clinical_use projection: alone, on its own runner with the service's settings, into a fresh read.sqlite;",
              '     afterwards every output row must hold its response and outcome.',
              `one day's window (${w.from.slice(0, 10)}): the day's rows of cu_outputs read in pages of 10,000 in ${ms(w.readSeconds * 1000)} ms, then computeWindow`,
              `     for ${Object.keys(w.perMetric).join(', ')}, overall and per ageBand, sex and site (minSamples 100), each value`,
              `     with its positions digest, in ${ms(w.computeSeconds * 1000)} ms (${Object.entries(
                w.perMetric,
              )
                .map(([metric, m]) => `${metric} ${ms(m.seconds * 1000)}`)
                .join(', ')}).`,
            ],
          },
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
