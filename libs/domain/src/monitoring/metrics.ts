import { sha256Hex } from '@ledger/integrity';
import type { AgeBand, ClinicianResponse, SexBand } from '../clinical-use/events';
import type { ComputedMetric, SubgroupDimension } from '../ai-system/vocabulary';

/**
 * The monitoring metrics the ledger computes from recorded clinical use, as
 * pure functions of the joined records. The service computes from its read
 * model; `verify-bundle` recomputes from a bundle's own events; both call
 * these, so a regulator's recomputation follows the exact same method, which
 * each signal names in its `method`.
 */

/** One output with the latest clinician response and outcome recorded for it, each with its store position. */
export interface OutputUse {
  outputPosition: bigint;
  /** The output's occurredAt, as an RFC 3339 instant. */
  occurredAt: string;
  score?: number;
  alerted: boolean;
  site: string;
  ageBand?: AgeBand;
  sex?: SexBand;
  response?: { response: ClinicianResponse; position: bigint };
  outcome?: { label?: string; value?: number; position: bigint };
}

export interface MetricValue {
  value: number;
  /** How many outputs the value was computed from. */
  n: number;
  /** The store positions of every event it was computed from: the outputs, and the responses or outcomes it read. */
  positions: bigint[];
}

export const METRIC_METHODS: Readonly<Record<ComputedMetric, string>> = {
  auroc:
    'AUROC as the Mann-Whitney U statistic over scored outputs with a known outcome; tied scores count one half',
  ece: 'expected calibration error: scores in 10 equal-width bins [0,0.1) … [0.9,1], mean |mean score - outcome rate| weighted by bin count',
  calibration_slope:
    'calibration slope: the coefficient of logit(score) in a logistic regression of the outcome on it, by Newton-Raphson; scores clipped to [1e-15, 1-1e-15]',
  sensitivity:
    'sensitivity: alerted outputs among those with a positive outcome (the alert is the output at its applied threshold)',
  ppv: 'positive predictive value: outputs with a positive outcome among alerted outputs with a known outcome',
  override_rate:
    'override rate: outputs overridden among outputs a clinician accepted, overrode or dismissed',
  alert_rate: 'alert rate: alerted outputs among all outputs',
};

/** The metrics that need an outcome, and so a plan's positiveLabel. */
export const OUTCOME_METRICS: readonly ComputedMetric[] = [
  'auroc',
  'ece',
  'calibration_slope',
  'sensitivity',
  'ppv',
];

/**
 * The value of one metric over the records given (already cut to a window and
 * a subgroup), or undefined when it is not defined there: no outputs of the
 * kind it needs, or only one outcome class for AUROC and the calibration slope.
 */
export function computeMetric(
  metric: ComputedMetric,
  records: readonly OutputUse[],
  positiveLabel?: string,
): MetricValue | undefined {
  switch (metric) {
    case 'alert_rate':
      return ratio(records, (r) => r.alerted, []);
    case 'override_rate': {
      const seen = records.filter((r) => r.response && r.response.response !== 'not_seen');
      return ratio(seen, (r) => r.response!.response === 'overridden', ['response']);
    }
    case 'sensitivity':
      return ratio(
        labelled(records, positiveLabel).filter((s) => s.positive),
        (s) => s.record.alerted,
        ['outcome'],
        (s) => s.record,
      );
    case 'ppv':
      return ratio(
        labelled(records, positiveLabel).filter((s) => s.record.alerted),
        (s) => s.positive,
        ['outcome'],
        (s) => s.record,
      );
    case 'auroc':
      return scored(records, positiveLabel, auroc);
    case 'ece':
      return scored(records, positiveLabel, expectedCalibrationError);
    case 'calibration_slope':
      return scored(records, positiveLabel, calibrationSlope);
  }
}

interface Labelled {
  record: OutputUse;
  positive: boolean;
}

/** Outputs whose outcome carries a label; the plan's positiveLabel is the positive class, any other label the negative. */
function labelled(records: readonly OutputUse[], positiveLabel: string | undefined): Labelled[] {
  if (positiveLabel === undefined) return [];
  return records
    .filter((r) => r.outcome?.label !== undefined)
    .map((record) => ({ record, positive: record.outcome!.label === positiveLabel }));
}

function ratio<T>(
  items: readonly T[],
  counts: (item: T) => boolean,
  read: Array<'response' | 'outcome'>,
  recordOf: (item: T) => OutputUse = (item) => item as unknown as OutputUse,
): MetricValue | undefined {
  if (items.length === 0) return undefined;
  const hits = items.filter(counts).length;
  return { value: hits / items.length, n: items.length, positions: positionsOf(items.map(recordOf), read) };
}

function scored(
  records: readonly OutputUse[],
  positiveLabel: string | undefined,
  measure: (scores: Float64Array, outcomes: Uint8Array) => number | undefined,
): MetricValue | undefined {
  const samples = labelled(records, positiveLabel).filter((s) => s.record.score !== undefined);
  if (samples.length === 0) return undefined;
  const scores = Float64Array.from(samples, (s) => s.record.score!);
  const outcomes = Uint8Array.from(samples, (s) => (s.positive ? 1 : 0));
  const value = measure(scores, outcomes);
  if (value === undefined) return undefined;
  return {
    value,
    n: samples.length,
    positions: positionsOf(
      samples.map((s) => s.record),
      ['outcome'],
    ),
  };
}

function positionsOf(records: readonly OutputUse[], read: Array<'response' | 'outcome'>): bigint[] {
  const positions = records.flatMap((r) => [r.outputPosition, ...read.map((part) => r[part]!.position)]);
  return positions.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Mann-Whitney U / (n₊·n₋), with average ranks for tied scores. */
export function auroc(scores: Float64Array, outcomes: Uint8Array): number | undefined {
  const n = scores.length;
  const positives = outcomes.reduce((sum, y) => sum + y, 0);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positiveRankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) positiveRankSum += outcomes[order[k]] * averageRank;
    i = j + 1;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const BINS = 10;

export function expectedCalibrationError(scores: Float64Array, outcomes: Uint8Array): number | undefined {
  const count = new Float64Array(BINS);
  const scoreSum = new Float64Array(BINS);
  const outcomeSum = new Float64Array(BINS);
  for (let i = 0; i < scores.length; i++) {
    const bin = Math.min(BINS - 1, Math.max(0, Math.floor(scores[i] * BINS)));
    count[bin]++;
    scoreSum[bin] += scores[i];
    outcomeSum[bin] += outcomes[i];
  }
  let error = 0;
  for (let b = 0; b < BINS; b++)
    if (count[b] > 0) error += Math.abs(scoreSum[b] - outcomeSum[b]) / scores.length;
  return error;
}

const CLIP = 1e-15;

/**
 * Fits y ~ a + b·logit(p) by Newton-Raphson from (0, 1), the perfectly
 * calibrated model, and returns b. Undefined when the fit has no finite
 * maximum: one outcome class only, or every score the same.
 */
export function calibrationSlope(scores: Float64Array, outcomes: Uint8Array): number | undefined {
  const n = scores.length;
  const x = Float64Array.from(scores, (p) => {
    const q = Math.min(1 - CLIP, Math.max(CLIP, p));
    return Math.log(q / (1 - q));
  });
  const positives = outcomes.reduce((sum, y) => sum + y, 0);
  if (positives === 0 || positives === n || x.every((v) => v === x[0])) return undefined;
  let a = 0;
  let b = 1;
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0;
    let gb = 0;
    let haa = 0;
    let hab = 0;
    let hbb = 0;
    for (let i = 0; i < n; i++) {
      const mu = 1 / (1 + Math.exp(-(a + b * x[i])));
      const w = mu * (1 - mu);
      ga += outcomes[i] - mu;
      gb += (outcomes[i] - mu) * x[i];
      haa += w;
      hab += w * x[i];
      hbb += w * x[i] * x[i];
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) return undefined;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) < 1e-13 && Math.abs(db) < 1e-13) return b;
  }
  return undefined;
}

/** The subgroup band a record falls in along one dimension, as a signal names it (`ageBand=80+`); undefined when not recorded. */
export function subgroupOf(record: OutputUse, dimension: SubgroupDimension): string | undefined {
  const band = record[dimension];
  return band === undefined ? undefined : `${dimension}=${band}`;
}

/** What a signal's `inputs.positionsSha256` holds: the positions ascending, in decimal, one per line. */
export function positionsDigest(positions: readonly bigint[]): string {
  return sha256Hex(positions.map((p) => `${p}\n`).join(''));
}

export interface SignalComputation {
  metric: ComputedMetric;
  minSamples: number;
  positiveLabel?: string;
  subgroups?: readonly SubgroupDimension[];
}

export interface ComputedValue extends MetricValue {
  /** Absent for the whole population. */
  subgroup?: string;
}

/**
 * Every value a plan's computation yields over one window: the whole
 * population, then each band of each subgroup dimension, in a stable order.
 * Records are the outputs produced in the window; a value with fewer than
 * minSamples outputs behind it does not count and is left out.
 */
export function computeWindow(plan: SignalComputation, records: readonly OutputUse[]): ComputedValue[] {
  const values: ComputedValue[] = [];
  const add = (subset: readonly OutputUse[], subgroup?: string) => {
    const result = computeMetric(plan.metric, subset, plan.positiveLabel);
    if (result && result.n >= plan.minSamples) values.push(subgroup ? { ...result, subgroup } : result);
  };
  add(records);
  for (const dimension of plan.subgroups ?? []) {
    const bands = new Map<string, OutputUse[]>();
    for (const record of records) {
      const band = subgroupOf(record, dimension);
      if (band === undefined) continue;
      const members = bands.get(band);
      if (members) members.push(record);
      else bands.set(band, [record]);
    }
    for (const band of [...bands.keys()].sort()) add(bands.get(band)!, band);
  }
  return values;
}
