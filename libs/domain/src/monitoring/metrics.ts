import { sha256HexOfParts } from '@ledger/integrity';
import {
  CLINICIAN_RESPONSES,
  type AgeBand,
  type ClinicianResponse,
  type SexBand,
} from '../clinical-use/events';
import type { ComputedMetric, SubgroupDimension } from '../ai-system/vocabulary';

/**
 * The monitoring metrics the ledger computes from recorded clinical use, as
 * pure functions of the joined records. The service computes from its read
 * model; `verify-bundle` recomputes from a bundle's own events; both call
 * these, so a regulator's recomputation follows the exact same method, which
 * each signal names in its `method`.
 */

/**
 * A window's outputs, each joined with its latest clinician response and
 * outcome, as columns: a week of a busy model is hundreds of thousands of
 * outputs, and one object each cost over 200 MB where these cost about 45
 * bytes an output. Row i of every column is output i. Positions are numbers,
 * not bigints: every store position is below 2^53 (the builder refuses one
 * that is not; at a million events a second the store reaches it in 285
 * years), so they sort as a Float64Array with no comparator and print in
 * decimal exactly as the bigint would.
 */
export interface OutputColumns {
  readonly length: number;
  readonly outputPosition: Float64Array;
  /** NaN when the output carries no score. */
  readonly score: Float64Array;
  /** 1 when the output alerted at its applied threshold. */
  readonly alerted: Uint8Array;
  /** The latest response as its index in CLINICIAN_RESPONSES; -1 for none. */
  readonly response: Int8Array;
  readonly responsePosition: Float64Array;
  /** The latest outcome's label as an id in `names`; 0 when there is no outcome or it has no label. */
  readonly outcomeLabel: Uint16Array;
  readonly outcomePosition: Float64Array;
  /** Each subgroup dimension's band as an id in `names`; 0 when not recorded. */
  readonly bands: Readonly<Record<SubgroupDimension, Uint16Array>>;
  /** The dictionary shared by bands and labels; names[0] is the empty string, meaning absent. */
  readonly names: readonly string[];
}

/** One output as it goes into the columns; the object is dropped as soon as it is copied in. */
export interface OutputUse {
  outputPosition: number;
  score?: number;
  alerted: boolean;
  site: string;
  ageBand?: AgeBand;
  sex?: SexBand;
  response?: ClinicianResponse;
  responsePosition?: number;
  outcomeLabel?: string;
  outcomePosition?: number;
}

const NONE = -1;
const RESPONSE_IDS = new Map<string, number>(CLINICIAN_RESPONSES.map((r, i) => [r, i]));

/** Fills a window's columns an output at a time, growing them by doubling; `finish` hands out views of the filled part. */
export class OutputColumnsBuilder {
  private capacity = 1024;
  private length = 0;
  private outputPosition = new Float64Array(this.capacity);
  private score = new Float64Array(this.capacity);
  private alerted = new Uint8Array(this.capacity);
  private response = new Int8Array(this.capacity);
  private responsePosition = new Float64Array(this.capacity);
  private outcomeLabel = new Uint16Array(this.capacity);
  private outcomePosition = new Float64Array(this.capacity);
  private bands: Record<SubgroupDimension, Uint16Array> = {
    ageBand: new Uint16Array(this.capacity),
    sex: new Uint16Array(this.capacity),
    site: new Uint16Array(this.capacity),
  };
  private readonly names: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);

  add(use: OutputUse): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.outputPosition[i] = position(use.outputPosition);
    this.score[i] = use.score ?? NaN;
    this.alerted[i] = use.alerted ? 1 : 0;
    const response = use.response === undefined ? undefined : RESPONSE_IDS.get(use.response);
    this.response[i] = response ?? NONE;
    this.responsePosition[i] = response === undefined ? NaN : position(use.responsePosition);
    const labelled = use.outcomeLabel !== undefined;
    this.outcomeLabel[i] = labelled ? this.id(use.outcomeLabel!) : 0;
    this.outcomePosition[i] = labelled ? position(use.outcomePosition) : NaN;
    this.bands.ageBand[i] = use.ageBand === undefined ? 0 : this.id(use.ageBand);
    this.bands.sex[i] = use.sex === undefined ? 0 : this.id(use.sex);
    this.bands.site[i] = this.id(use.site);
  }

  finish(): OutputColumns {
    const n = this.length;
    return {
      length: n,
      outputPosition: this.outputPosition.subarray(0, n),
      score: this.score.subarray(0, n),
      alerted: this.alerted.subarray(0, n),
      response: this.response.subarray(0, n),
      responsePosition: this.responsePosition.subarray(0, n),
      outcomeLabel: this.outcomeLabel.subarray(0, n),
      outcomePosition: this.outcomePosition.subarray(0, n),
      bands: {
        ageBand: this.bands.ageBand.subarray(0, n),
        sex: this.bands.sex.subarray(0, n),
        site: this.bands.site.subarray(0, n),
      },
      names: this.names,
    };
  }

  private id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      if (id > 0xffff) throw new RangeError('a window holds more than 65,535 distinct bands and labels');
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Float64Array | Uint8Array | Int8Array | Uint16Array>(old: T): T => {
      const next = new (old.constructor as new (n: number) => T)(this.capacity);
      next.set(old as never);
      return next;
    };
    this.outputPosition = grown(this.outputPosition);
    this.score = grown(this.score);
    this.alerted = grown(this.alerted);
    this.response = grown(this.response);
    this.responsePosition = grown(this.responsePosition);
    this.outcomeLabel = grown(this.outcomeLabel);
    this.outcomePosition = grown(this.outcomePosition);
    this.bands = {
      ageBand: grown(this.bands.ageBand),
      sex: grown(this.bands.sex),
      site: grown(this.bands.site),
    };
  }
}

function position(value: number | undefined): number {
  if (!Number.isSafeInteger(value) || value! < 0)
    throw new RangeError(`store position ${value} is not a whole number below 2^53`);
  return value!;
}

export interface MetricValue {
  value: number;
  /** How many outputs the value was computed from. */
  n: number;
  /** The store positions of every event it was computed from, ascending: the outputs, and the responses or outcomes it read. */
  positions: Float64Array;
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

const OVERRIDDEN = RESPONSE_IDS.get('overridden')!;
const NOT_SEEN = RESPONSE_IDS.get('not_seen')!;

/**
 * The value of one metric over the outputs of `subset` (row numbers into the
 * columns, ascending), or undefined when it is not defined there: no outputs
 * of the kind it needs, or only one outcome class for AUROC and the
 * calibration slope. An outcome is positive when its label is the plan's
 * positiveLabel and negative for any other label; without a positiveLabel no
 * outcome metric has a value.
 */
export function computeMetric(
  metric: ComputedMetric,
  records: OutputColumns,
  subset: Uint32Array,
  positiveLabel?: string,
): MetricValue | undefined {
  const positive = positiveLabel === undefined ? NONE : records.names.indexOf(positiveLabel);
  const labelled = (i: number) => positiveLabel !== undefined && records.outcomeLabel[i] !== 0;
  switch (metric) {
    case 'alert_rate':
      return ratio(
        records,
        subset,
        () => true,
        (i) => records.alerted[i] === 1,
        [],
      );
    case 'override_rate':
      return ratio(
        records,
        subset,
        (i) => records.response[i] !== NONE && records.response[i] !== NOT_SEEN,
        (i) => records.response[i] === OVERRIDDEN,
        [records.responsePosition],
      );
    case 'sensitivity':
      return ratio(
        records,
        subset,
        (i) => labelled(i) && records.outcomeLabel[i] === positive,
        (i) => records.alerted[i] === 1,
        [records.outcomePosition],
      );
    case 'ppv':
      return ratio(
        records,
        subset,
        (i) => labelled(i) && records.alerted[i] === 1,
        (i) => records.outcomeLabel[i] === positive,
        [records.outcomePosition],
      );
    case 'auroc':
      return scored(records, subset, positiveLabel, positive, auroc);
    case 'ece':
      return scored(records, subset, positiveLabel, positive, expectedCalibrationError);
    case 'calibration_slope':
      return scored(records, subset, positiveLabel, positive, calibrationSlope);
  }
}

/** The share of the subset's outputs it `takes` that `counts`, with the positions of those outputs and of the parts read. */
function ratio(
  records: OutputColumns,
  subset: Uint32Array,
  takes: (row: number) => boolean,
  counts: (row: number) => boolean,
  read: Float64Array[],
): MetricValue | undefined {
  const taken = new Uint32Array(subset.length);
  let n = 0;
  let hits = 0;
  for (const row of subset)
    if (takes(row)) {
      taken[n++] = row;
      if (counts(row)) hits++;
    }
  if (n === 0) return undefined;
  return { value: hits / n, n, positions: positionsOf(records, taken.subarray(0, n), read) };
}

function scored(
  records: OutputColumns,
  subset: Uint32Array,
  positiveLabel: string | undefined,
  positive: number,
  measure: (scores: Float64Array, outcomes: Uint8Array) => number | undefined,
): MetricValue | undefined {
  if (positiveLabel === undefined) return undefined;
  const taken = new Uint32Array(subset.length);
  let n = 0;
  for (const row of subset)
    if (records.outcomeLabel[row] !== 0 && !Number.isNaN(records.score[row])) taken[n++] = row;
  if (n === 0) return undefined;
  const rows = taken.subarray(0, n);
  const scores = new Float64Array(n);
  const outcomes = new Uint8Array(n);
  rows.forEach((row, k) => {
    scores[k] = records.score[row];
    outcomes[k] = records.outcomeLabel[row] === positive ? 1 : 0;
  });
  const value = measure(scores, outcomes);
  if (value === undefined) return undefined;
  return { value, n, positions: positionsOf(records, rows, [records.outcomePosition]) };
}

function positionsOf(records: OutputColumns, rows: Uint32Array, read: Float64Array[]): Float64Array {
  const positions = new Float64Array(rows.length * (1 + read.length));
  let at = 0;
  for (const row of rows) {
    positions[at++] = records.outputPosition[row];
    for (const part of read) positions[at++] = part[row];
  }
  return positions.sort();
}

/**
 * Mann-Whitney U / (n₊·n₋): for each positive, the negatives scored below it
 * plus half those tied with it. Both classes sort as typed arrays, with no
 * comparator; every count is a whole or half number, so U is exact and equals
 * the rank-sum form.
 */
export function auroc(scores: Float64Array, outcomes: Uint8Array): number | undefined {
  const n = scores.length;
  const positives = outcomes.reduce((sum, y) => sum + y, 0);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  const positive = new Float64Array(positives);
  const negative = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < n; i++)
    if (outcomes[i] === 1) positive[p++] = scores[i];
    else negative[q++] = scores[i];
  positive.sort();
  negative.sort();
  let u = 0;
  let below = 0;
  let tied = 0;
  for (let i = 0; i < positives; i++) {
    const s = positive[i];
    if (i === 0 || s !== positive[i - 1]) {
      below += tied;
      while (below < negatives && negative[below] < s) below++;
      tied = 0;
      while (below + tied < negatives && negative[below + tied] === s) tied++;
    }
    u += below + tied / 2;
  }
  return u / (positives * negatives);
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

/** What a signal's `inputs.positionsSha256` holds: the positions ascending, in decimal, one per line. */
export function positionsDigest(positions: Float64Array): string {
  return sha256HexOfParts(positionLines(positions));
}

/** In slices: a week's positions as one text would be tens of megabytes. */
function* positionLines(positions: Float64Array): Generator<string> {
  const SLICE = 65_536;
  for (let start = 0; start < positions.length; start += SLICE) {
    let text = '';
    for (const p of positions.subarray(start, start + SLICE)) text += `${p}\n`;
    yield text;
  }
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
export function computeWindow(plan: SignalComputation, records: OutputColumns): ComputedValue[] {
  const values: ComputedValue[] = [];
  const add = (subset: Uint32Array, subgroup?: string) => {
    const result = computeMetric(plan.metric, records, subset, plan.positiveLabel);
    if (result && result.n >= plan.minSamples) values.push(subgroup ? { ...result, subgroup } : result);
  };
  const all = new Uint32Array(records.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  add(all);
  for (const dimension of plan.subgroups ?? []) {
    const ids = records.bands[dimension];
    // A counting sort of the rows by band: each band's rows stay ascending, as the metrics read them.
    const counts = new Uint32Array(records.names.length + 1);
    for (const id of ids) counts[id + 1]++;
    for (let id = 1; id < counts.length; id++) counts[id] += counts[id - 1];
    const starts = counts.slice();
    const byBand = new Uint32Array(ids.length);
    for (let row = 0; row < ids.length; row++) byBand[starts[ids[row]]++] = row;
    const bands = [];
    for (let id = 1; id < records.names.length; id++)
      if (counts[id + 1] > counts[id]) bands.push({ id, name: `${dimension}=${records.names[id]}` });
    bands.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const { id, name } of bands) add(byBand.subarray(counts[id], counts[id + 1]), name);
  }
  return values;
}
