import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Children } from '../../lib/child';
import { bearerToken } from '../../lib/cli';
import { postLoad } from '../../lib/load';
import { progress } from '../../lib/progress';
import { ms, rate, rss, type BenchContext, type Scenario } from '../../lib/report';
import type { ApiReady } from '../../lib/serve-api';
import type * as InMemory from './in-memory';
import type * as Ingest from './ingest';
import { ingestBodies } from './ingest';
import type * as Measure from './measure';
import { BATCH, MODEL_SERVICE, modelStream, OUTPUTS_PER_DAY } from './workload';

const CONNECTIONS = 4;

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

      // The metrics alone, on windows already in memory: a week of a busy model, and a day.
      const windowSizes = quick ? [OUTPUTS_PER_DAY] : [7 * OUTPUTS_PER_DAY, OUTPUTS_PER_DAY];
      const inMemory = [];
      for (const size of windowSizes) {
        progress(`clinical-use: computeWindow over ${rate(size)} outputs in memory`);
        inMemory.push(
          await children.run<typeof InMemory, 'windowMetrics'>(
            'scenarios/clinical-use/in-memory',
            'windowMetrics',
            {
              outputs: size,
            },
          ),
        );
      }
      progress(`clinical-use: verify-bundle's recomputation of ${rate(outputs)} outputs' daily signals`);
      const recompute = await children.run<typeof InMemory, 'recomputeSignals'>(
        'scenarios/clinical-use/in-memory',
        'recomputeSignals',
        { outputs },
      );
      const r = recompute.figures;

      progress(`clinical-use: POST /v1/events, ${CONNECTIONS} connections, batches of ${BATCH}`);
      const http = await httpIngest(children, dir, quick);
      const windowSeconds = w.readSeconds + w.computeSeconds;
      return {
        figures: {
          outputs,
          append: { ...append.figures, peakRssMb: append.peakRssMb },
          catchUp: { ...catchUp.figures, peakRssMb: catchUp.peakRssMb },
          window: { ...w, seconds: windowSeconds, peakRssMb: window.peakRssMb },
          http,
          windowMetrics: inMemory.map((m) => ({ ...m.figures, peakRssMb: m.peakRssMb })),
          recompute: { ...r, peakRssMb: recompute.peakRssMb },
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
                `HTTP ingest, POST /v1/events (${http.seconds.toFixed(0)} s)`,
                rate(http.events),
                http.seconds.toFixed(1),
                rate(http.eventsPerSecond),
                '—',
                '—',
                rss(http.peakRssMb),
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
              ...inMemory.map(({ figures: m, peakRssMb }) => [
                `computeWindow in memory: ${rate(m.outputs)} outputs, ${m.values} values`,
                '—',
                m.computeSeconds.toFixed(2),
                '—',
                '—',
                '—',
                rss(peakRssMb),
              ]),
              [
                `verify-bundle recompute: ${r.signals} daily signals`,
                rate(r.events),
                (r.feedSeconds + r.recomputeSeconds).toFixed(1),
                rate(r.events / (r.feedSeconds + r.recomputeSeconds)),
                '—',
                '—',
                rss(recompute.peakRssMb),
              ],
            ],
            notes: [
              `Outputs of one sepsis model at ${rate(OUTPUTS_PER_DAY)} a day (${(outputs / OUTPUTS_PER_DAY).toFixed(1)} days), each answered by a clinician`,
              '     five minutes later and followed by an outcome two days later; the outcomes still owed at the end come last.',
              'append: each emitter batch as POST /v1/events stores it (ids derived per tenant, one append of 500 to the emitter',
              "     clinical-use stream), into a fresh events.sqlite with the service's durability (synchronous=FULL); no HTTP.",
              'HTTP ingest: the service as npm start runs it (projections and sealer following) on a fresh store, the system deployed',
              `     through GraphQL; ${CONNECTIONS} connections post ${BATCH} outputs, then their responses, then their outcomes, raw patient ids`,
              `     pseudonymised by the service; after ${http.warmupSeconds} s of warm-up, p50 ${ms(http.p50Ms)} ms and p99 ${ms(http.p99Ms)} ms a request.`,
              "clinical_use projection: alone, on its own runner with the service's settings, into a fresh read.sqlite;",
              '     afterwards every output row must hold its response and outcome.',
              "CPU s: the step's own process, user and system time: on a shared machine steadier than the wall clock.",
              `one day's window (${w.from.slice(0, 10)}): the day's rows of cu_outputs read in pages of 10,000 in ${ms(w.readSeconds * 1000)} ms, then computeWindow`,
              `     for ${Object.keys(w.perMetric).join(', ')}, overall and per ageBand, sex and site (minSamples 100), each value`,
              `     with its positions digest, in ${ms(w.computeSeconds * 1000)} ms (${Object.entries(
                w.perMetric,
              )
                .map(([metric, m]) => `${metric} ${ms(m.seconds * 1000)}`)
                .join(', ')}).`,
              "computeWindow in memory: synthetic outputs, each with a response and a labelled outcome, put into the domain's",
              '     columns, then AUROC, ECE and the calibration slope overall and per ageBand and sex band, each positions digest taken.',
              `verify-bundle recompute: the ${rate(outputs)} outputs' events fed to the verifier's recomputation in ${r.feedSeconds.toFixed(1)} s,`,
              `     then every daily window of auroc, ece, ppv and override_rate (ageBand and sex bands) recomputed in ${r.recomputeSeconds.toFixed(1)} s.`,
            ],
          },
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** POSTs clinical-use batches to the real service and checks that what it acknowledged is what it stored. */
async function httpIngest(children: Children, dataDir: string, quick: boolean) {
  const dir = mkdtempSync(join(dataDir, 'http-'));
  const load = { warmupSeconds: quick ? 1 : 3, seconds: quick ? 5 : 20 };
  const api = await children.service<ApiReady>('lib/serve-api', 'serveApi', {
    dataDir: dir,
    stream: modelStream,
  });
  try {
    let warmup, measured;
    try {
      await children.run<typeof Ingest, 'deployForIngest'>(
        'scenarios/clinical-use/ingest',
        'deployForIngest',
        {
          dataDir: dir,
          url: api.ready.url,
        },
      );
      const headers = {
        authorization: `Bearer ${await bearerToken(children, dir, 'emitter', MODEL_SERVICE)}`,
      };
      const body = ingestBodies();
      const drive = (seconds: number) =>
        postLoad(api.ready.url, '/v1/events', { connections: CONNECTIONS, seconds, headers, body });
      warmup = await drive(load.warmupSeconds);
      measured = await drive(load.seconds);
    } catch (error) {
      await api.stop().catch(() => undefined);
      throw error;
    }
    const served = await api.stop<{ stored: number }>();
    const acknowledged = (warmup.ok + measured.ok) * BATCH;
    // Requests cut off when the load stops may still commit; a finding would add an event per output.
    const inFlight = 2 * CONNECTIONS * BATCH;
    if (served.figures.stored < acknowledged || served.figures.stored > acknowledged + inFlight)
      throw new Error(`the service acknowledged ${acknowledged} events but stored ${served.figures.stored}`);
    const events = measured.ok * BATCH;
    return {
      ...load,
      events,
      eventsPerSecond: events / measured.seconds,
      p50Ms: measured.p50Ms,
      p99Ms: measured.p99Ms,
      peakRssMb: served.peakRssMb,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
