/**
 * The clinical-use scenario's in-memory measurements, each in a child of its
 * own so each peak RSS is that step's alone: the monitoring metrics over a
 * window of synthetic outputs already read, and verify-bundle's recomputation
 * of a bundle's computed signals. No database: these are the memory and time
 * the metrics themselves cost, apart from reading the rows.
 */
import {
  AGE_BANDS,
  computeWindow,
  OutputColumnsBuilder,
  positionsDigest,
  SEX_BANDS,
  type ComputedMetric,
} from '@ledger/domain';
import { SignalRecomputation, type BundledEvent } from '../../../../libs/evidence/src/signal-recompute';
import { FIRST_OUTPUT_AT, OUTPUTS_PER_DAY, SYSTEM_ID } from './workload';

/** Deterministic draws in [0, 1) (mulberry32): the same records every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WINDOW_METRICS: ComputedMetric[] = ['auroc', 'ece', 'calibration_slope'];

export interface WindowMetricFigures {
  outputs: number;
  buildSeconds: number;
  /** computeWindow for every metric, overall and per ageBand and sex band, each value's positions digested. */
  computeSeconds: number;
  values: number;
}

/**
 * A window of `outputs` synthetic outputs (a 7-day window of a busy model is
 * 700,000), each with a response and a labelled outcome, put into the
 * domain's columns as the worker does, then computeWindow for AUROC, ECE and
 * the calibration slope with ageBand and sex subgroups.
 */
export async function windowMetrics({ outputs }: { outputs: number }): Promise<WindowMetricFigures> {
  const random = seeded(1);
  const started = performance.now();
  const builder = new OutputColumnsBuilder();
  for (let i = 0; i < outputs; i++) {
    const score = random();
    builder.add({
      outputPosition: 3 * i + 1,
      score,
      alerted: score >= 0.5,
      site: i % 2 ? 'north' : 'south',
      ageBand: AGE_BANDS[i % AGE_BANDS.length],
      sex: SEX_BANDS[i % SEX_BANDS.length],
      response: 'accepted',
      responsePosition: 3 * i + 2,
      outcomeLabel: random() < score ? 'sepsis' : 'none',
      outcomePosition: 3 * i + 3,
    });
  }
  const records = builder.finish();
  const built = performance.now();
  let values = 0;
  for (const metric of WINDOW_METRICS)
    for (const v of computeWindow(
      { metric, minSamples: 100, positiveLabel: 'sepsis', subgroups: ['ageBand', 'sex'] },
      records,
    )) {
      positionsDigest(v.positions);
      values++;
    }
  return {
    outputs,
    buildSeconds: (built - started) / 1000,
    computeSeconds: (performance.now() - built) / 1000,
    values,
  };
}

const RECOMPUTE_METRICS = ['auroc', 'ece', 'ppv', 'override_rate'];

export interface RecomputeFigures {
  outputs: number;
  events: number;
  signals: number;
  feedSeconds: number;
  recomputeSeconds: number;
}

/**
 * verify-bundle's recomputation at scale: `outputs` outputs at 100,000 a day,
 * a response each and an outcome for nine in ten, fed as the verifier feeds a
 * bundle's events, then every daily window of four metrics (with ageBand and
 * sex subgroups) recomputed. The recorded signals are placeholders: the
 * figure is the cost of recomputing, and each one's failing to match is expected.
 */
export async function recomputeSignals({ outputs }: { outputs: number }): Promise<RecomputeFigures> {
  const random = seeded(1);
  const recomputation = new SignalRecomputation({ systemId: SYSTEM_ID });
  let position = 0n;
  const add = (type: string, data: Record<string, unknown>, at: number) =>
    recomputation.add({
      type,
      position: ++position,
      data: { systemId: SYSTEM_ID, ...data },
      metadata: { occurredAt: new Date(at).toISOString() },
    } satisfies BundledEvent);
  const days = Math.ceil(outputs / OUTPUTS_PER_DAY);
  for (const metric of RECOMPUTE_METRICS)
    add(
      'MonitoringPlanned',
      {
        metric,
        threshold: 0.5,
        direction: 'min',
        cadence: 'P1D',
        computation: {
          window: 'P1D',
          minSamples: 20,
          positiveLabel: 'sepsis',
          subgroups: ['ageBand', 'sex'],
        },
      },
      FIRST_OUTPUT_AT,
    );
  const started = performance.now();
  for (let i = 0; i < outputs; i++) {
    const at = FIRST_OUTPUT_AT + Math.floor((i / OUTPUTS_PER_DAY) * 86_400_000);
    const outputId = `out-${i}`;
    const score = random();
    add(
      'AiOutputProduced',
      {
        outputId,
        site: random() < 0.5 ? 'north' : 'south',
        score,
        alerted: score >= 0.5,
        ageBand: random() < 0.2 ? '80+' : '40-64',
        sex: random() < 0.5 ? 'female' : 'male',
      },
      at,
    );
    add('ClinicianResponseRecorded', { outputId, response: 'accepted' }, at + 600_000);
    if (random() < 0.9)
      add('OutcomeObserved', { outputId, label: random() < score ? 'sepsis' : 'none' }, at + 86_400_000);
  }
  const through = position;
  for (let day = 0; day < days; day++)
    for (const metric of RECOMPUTE_METRICS)
      add(
        'MonitoringSignalComputed',
        {
          metric,
          value: 0,
          n: 1,
          window: {
            from: new Date(FIRST_OUTPUT_AT + day * 86_400_000).toISOString(),
            to: new Date(FIRST_OUTPUT_AT + (day + 1) * 86_400_000).toISOString(),
          },
          inputs: {
            throughPosition: through.toString(),
            count: 1,
            firstPosition: '1',
            lastPosition: '1',
            positionsSha256: '0'.repeat(64),
          },
          checkpoint: { treeSize: 1, rootHash: 'AAAA' },
        },
        FIRST_OUTPUT_AT + (day + 2) * 86_400_000,
      );
  const fed = performance.now();
  const outcome = recomputation.finish();
  if (outcome.failures.length !== outcome.signals)
    throw new Error(
      `${outcome.signals - outcome.failures.length} placeholder signals matched their recomputation`,
    );
  return {
    outputs,
    events: Number(position),
    signals: outcome.signals,
    feedSeconds: (fed - started) / 1000,
    recomputeSeconds: (performance.now() - fed) / 1000,
  };
}
