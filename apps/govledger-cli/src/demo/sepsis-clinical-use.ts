import type { AgeBand, SexBand } from '@ledger/domain';
import { createHash } from 'node:crypto';
import { type SeededRandom, seededRandom } from './seeded-random';

/**
 * Weeks of the sepsis predictor in clinical use, as its scoring service would
 * report them: an output every few minutes, the clinician's response to each
 * alert minutes later, and whether the patient developed sepsis a day or two
 * later. Pure: every score, band and outcome comes from a seeded generator, and
 * every instant from the `end` it is given, so the same options give the same
 * history.
 *
 * The scores are well calibrated at first. Over the last `driftWeeks` the
 * patients' true risk moves away from them: higher than scored, and less
 * spread than the scores say (calibration-in-the-large and slope both drift),
 * overall and about twice as far in the over-80 band.
 */

export const SEPSIS_LABELS = { positive: 'sepsis', negative: 'no-sepsis' } as const;

/**
 * What the sepsis predictor's performance owner plans for the ledger to
 * compute: a week of outputs, each day, once its outcomes have had two days to
 * come in. The thresholds and sample sizes sit clear of what chance alone
 * gives a calibrated week of this history, including the short first windows
 * (a calibrated over-80 band's ECE stays under 0.065, the overall slope over
 * 0.85), so only the drift breaches them.
 */
export const SEPSIS_COMPUTED_MONITORING = [
  { metric: 'ece', threshold: 0.08, direction: 'max', subgroups: ['ageBand'], minSamples: 300 },
  { metric: 'calibration_slope', threshold: 0.75, direction: 'min', subgroups: [], minSamples: 1000 },
  { metric: 'override_rate', threshold: 0.5, direction: 'max', subgroups: ['ageBand'], minSamples: 50 },
] as const;
export const SEPSIS_MONITORING_WINDOW = { window: 'P7D', cadence: 'P1D', settle: 'P2D' } as const;

/** The score at and above which the service alerts the rapid-response team. */
export const SEPSIS_ALERT_THRESHOLD = 0.3;

/** The demo's history: 8 weeks, the last 3 drifting, over 5,000 patients; `outputs` sets how dense it is. */
export const DEMO_SEPSIS_HISTORY = { seed: 16, weeks: 8, driftWeeks: 3, patients: 5000 } as const;
/** One output about every 4 minutes over the 8 weeks. */
export const DEMO_SEPSIS_OUTPUTS = 20_000;

export interface SepsisUseOptions {
  seed: number;
  /** How many outputs the history holds, spread evenly (with jitter) over `weeks`. */
  outputs: number;
  /** The instant, in milliseconds, the history ends: no output, response or outcome lies after it. */
  end: number;
  weeks: number;
  /** The last weeks, within `weeks`, over which calibration drifts. */
  driftWeeks: number;
  systemId: string;
  modelVersion: string;
  sourceService: string;
  sites: readonly string[];
  clinicians: readonly string[];
  /** How many patients the outputs are spread over; patient n is `MRN-<100000 + n>`, like the demo's data access. */
  patients: number;
}

interface OutputData {
  outputId: string;
  systemId: string;
  modelVersion: string;
  site: string;
  /** Raw, as the service knows it: the ledger replaces it with its keyed pseudonym at ingest. */
  patientId: string;
  inputDigest: string;
  score: number;
  threshold: number;
  alerted: boolean;
  ageBand: AgeBand;
  sex: SexBand;
}

interface ResponseData {
  outputId: string;
  systemId: string;
  response: 'accepted' | 'overridden' | 'dismissed' | 'not_seen';
  reasonCode?: string;
  actor: string;
  respondedAt: string;
}

interface OutcomeData {
  outputId: string;
  systemId: string;
  label: string;
  observedAt: string;
  source: string;
}

/** One event as the emitting service sends it: its own time, and data without the ledger's envelope. */
export type ClinicalUseItem =
  | { type: 'AiOutputProduced'; occurredAt: string; data: OutputData }
  | { type: 'ClinicianResponseRecorded'; occurredAt: string; data: ResponseData }
  | { type: 'OutcomeObserved'; occurredAt: string; data: OutcomeData };

export interface Patient {
  patientId: string;
  ageBand: AgeBand;
  sex: SexBand;
  site: string;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_WEEK = 7 * 24 * MS_PER_HOUR;

/** Adult inpatients only: the predictor's intended use. */
const AGE_MIX: ReadonlyArray<readonly [AgeBand, number]> = [
  ['18-39', 0.17],
  ['40-64', 0.33],
  ['65-79', 0.3],
  ['80+', 0.2],
];
const SEX_MIX: ReadonlyArray<readonly [SexBand, number]> = [
  ['female', 0.48],
  ['male', 0.5],
  ['other', 0.01],
  ['unknown', 0.01],
];
/** The log-odds of sepsis each band starts from; a patient's own risk varies around it. */
const BASE_LOGIT: Record<AgeBand, number> = {
  '0-17': -3.4,
  '18-39': -3.4,
  '40-64': -2.9,
  '65-79': -2.5,
  '80+': -2.2,
};
const RISK_SPREAD = 1.5;

/** How far the true risk has moved from the score at full drift: log-odds added, and the slope it is scaled by. */
const DRIFT = {
  overall: { shift: 0.5, slope: 0.6 },
  '80+': { shift: 1.1, slope: 0.5 },
};

const OVERRIDE_REASONS: ReadonlyArray<readonly [string, number]> = [
  ['clinical-judgement', 0.5],
  ['already-on-antibiotics', 0.3],
  ['alternative-diagnosis', 0.2],
];
const OUTCOME_SOURCES: ReadonlyArray<readonly [string, number]> = [
  ['sepsis-3 criteria (EHR)', 0.8],
  ['chart review', 0.2],
];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const iso = (ms: number) => new Date(ms).toISOString();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function mrn(n: number): string {
  return `MRN-${String(100000 + n).padStart(7, '0')}`;
}

/** The demo's patients, each with the bands and site every output about them carries. */
export function sepsisPatients(seed: number, count: number, sites: readonly string[]): Patient[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, n) => ({
    patientId: mrn(n),
    ageBand: random.pick(AGE_MIX),
    sex: random.pick(SEX_MIX),
    site: random.pick(sites.map((site, i) => [site, i === 0 ? 0.6 : 0.4 / (sites.length - 1 || 1)] as const)),
  }));
}

/** A patient's risk as the model scores it: its log-odds, and the score the service reports. */
function drawScore(random: SeededRandom, ageBand: AgeBand): { scoreLogit: number; score: number } {
  const scoreLogit = BASE_LOGIT[ageBand] + RISK_SPREAD * random.normal();
  // Services report scores to four decimals; the clip keeps 0 and 1 out, as no risk model is certain.
  const score = Math.min(0.9999, Math.max(0.0001, Math.round(sigmoid(scoreLogit) * 10_000) / 10_000));
  return { scoreLogit, score };
}

/** How far into the drift an instant is: 0 before it starts, rising evenly to 1 at the end of the history. */
export function driftAt(ms: number, options: Pick<SepsisUseOptions, 'end' | 'driftWeeks'>): number {
  const start = options.end - options.driftWeeks * MS_PER_WEEK;
  return Math.min(1, Math.max(0, (ms - start) / (options.end - start)));
}

/** The patient's true probability of sepsis given the score's log-odds, at a point of the drift. */
export function trueRisk(scoreLogit: number, ageBand: AgeBand, drift: number): number {
  const { shift, slope } = ageBand === '80+' ? DRIFT['80+'] : DRIFT.overall;
  return sigmoid(drift * shift + (1 - drift * (1 - slope)) * scoreLogit);
}

/**
 * The service's next scoring round after `at`: the patients most recently
 * scored in the history, still on the wards, each scored again by
 * `modelVersion`. Their responses and outcomes are still to come.
 */
export function nextScoringRound(
  history: readonly ClinicalUseItem[],
  options: { seed: number; at: number; modelVersion: string; patients: number },
): Array<Extract<ClinicalUseItem, { type: 'AiOutputProduced' }>> {
  const random = seededRandom(options.seed);
  const outputs = history.filter((i) => i.type === 'AiOutputProduced');
  const onWards = new Map<string, OutputData>();
  for (let i = outputs.length - 1; i >= 0 && onWards.size < options.patients; i--)
    if (!onWards.has(outputs[i].data.patientId)) onWards.set(outputs[i].data.patientId, outputs[i].data);
  return [...onWards.values()].map((last, i) => {
    const outputId = `sepsis-${String(outputs.length + i + 1).padStart(6, '0')}`;
    const { score } = drawScore(random, last.ageBand);
    // One round scores every patient at once; a millisecond apart keeps them in order.
    const at = options.at + i;
    return {
      type: 'AiOutputProduced' as const,
      occurredAt: iso(at),
      data: {
        ...last,
        outputId,
        modelVersion: options.modelVersion,
        inputDigest: sha256(`${options.seed}:${outputId}:vitals, labs and notes`),
        score,
        alerted: score >= SEPSIS_ALERT_THRESHOLD,
      },
    };
  });
}

export function sepsisClinicalUse(options: SepsisUseOptions): ClinicalUseItem[] {
  const random = seededRandom(options.seed);
  const patients = sepsisPatients((options.seed ^ 0x5eed) >>> 0, options.patients, options.sites);
  const start = options.end - options.weeks * MS_PER_WEEK;
  const step = (options.end - start) / options.outputs;
  const timed: Array<{ at: number; order: number; item: ClinicalUseItem }> = [];
  const add = (at: number, item: ClinicalUseItem) => {
    if (at <= options.end) timed.push({ at, order: timed.length, item });
  };
  const { systemId } = options;

  for (let i = 0; i < options.outputs; i++) {
    // Evenly spread, each within its own slot, so outputs stay in order and minutes apart.
    const at = Math.floor(start + (i + 0.1 + 0.8 * random.next()) * step);
    const patient = patients[random.integer(0, patients.length - 1)];
    const { scoreLogit, score } = drawScore(random, patient.ageBand);
    const alerted = score >= SEPSIS_ALERT_THRESHOLD;
    const septic = random.chance(trueRisk(scoreLogit, patient.ageBand, driftAt(at, options)));
    const outputId = `sepsis-${String(i + 1).padStart(6, '0')}`;
    add(at, {
      type: 'AiOutputProduced',
      occurredAt: iso(at),
      data: {
        outputId,
        systemId,
        modelVersion: options.modelVersion,
        site: patient.site,
        patientId: patient.patientId,
        inputDigest: sha256(`${options.seed}:${outputId}:vitals, labs and notes`),
        score,
        threshold: SEPSIS_ALERT_THRESHOLD,
        alerted,
        ageBand: patient.ageBand,
        sex: patient.sex,
      },
    });

    // Only alerts reach a clinician; they override false alarms more often than true ones.
    if (alerted) {
      const respondedAt = at + random.integer(2, 25) * MS_PER_MINUTE;
      const roll = random.next();
      const response =
        roll < 0.05
          ? 'not_seen'
          : roll < 0.13
            ? 'dismissed'
            : random.chance(septic ? 0.1 : 0.35)
              ? 'overridden'
              : 'accepted';
      add(respondedAt, {
        type: 'ClinicianResponseRecorded',
        occurredAt: iso(respondedAt),
        data: {
          outputId,
          systemId,
          response,
          ...(response === 'overridden' ? { reasonCode: random.pick(OVERRIDE_REASONS) } : {}),
          actor: options.clinicians[random.integer(0, options.clinicians.length - 1)],
          respondedAt: iso(respondedAt),
        },
      });
    }

    // Sepsis within 12 hours of the score, confirmed a day or two later.
    const observedAt = at + random.integer(12 * 60, 48 * 60) * MS_PER_MINUTE;
    add(observedAt, {
      type: 'OutcomeObserved',
      occurredAt: iso(observedAt),
      data: {
        outputId,
        systemId,
        label: septic ? SEPSIS_LABELS.positive : SEPSIS_LABELS.negative,
        observedAt: iso(observedAt),
        source: random.pick(OUTCOME_SOURCES),
      },
    });
  }
  return timed.sort((x, y) => x.at - y.at || x.order - y.order).map((t) => t.item);
}
