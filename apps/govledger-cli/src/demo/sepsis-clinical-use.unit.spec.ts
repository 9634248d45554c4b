import { AGE_BANDS, computeWindow, dueWindows, OutputColumnsBuilder, type OutputUse } from '@ledger/domain';
import {
  type ClinicalUseItem,
  DEMO_SEPSIS_HISTORY,
  DEMO_SEPSIS_OUTPUTS,
  nextScoringRound,
  SEPSIS_ALERT_THRESHOLD,
  SEPSIS_COMPUTED_MONITORING,
  SEPSIS_LABELS,
  SEPSIS_MONITORING_WINDOW,
  sepsisClinicalUse,
  type SepsisUseOptions,
} from './sepsis-clinical-use';

const DAY = 86_400_000;
const end = Date.parse('2026-12-06T11:00:00Z');
const options: SepsisUseOptions = {
  ...DEMO_SEPSIS_HISTORY,
  outputs: DEMO_SEPSIS_OUTPUTS,
  end,
  systemId: 'sepsis-predictor',
  modelVersion: 'v2',
  sourceService: 'epic-gateway',
  sites: ['st-mary-north', 'riverside-south'],
  clinicians: ['clinician.sepsis.0', 'clinician.sepsis.1', 'clinician.sepsis.2'],
};
const history = sepsisClinicalUse(options);
const outputs = history.filter((i) => i.type === 'AiOutputProduced');

type Joined = OutputUse & { occurredAt: string };

/** Joins the history the way the ledger's read model does, with each event's place in it as its position. */
function uses(items: readonly ClinicalUseItem[]): Joined[] {
  const byId = new Map<string, Joined>();
  items.forEach((item, index) => {
    const position = index + 1;
    if (item.type === 'AiOutputProduced') {
      const { score, alerted, site, ageBand, sex } = item.data;
      byId.set(item.data.outputId, {
        outputPosition: position,
        occurredAt: item.occurredAt,
        score,
        alerted,
        site,
        ageBand,
        sex,
      });
    } else if (item.type === 'OutcomeObserved')
      Object.assign(byId.get(item.data.outputId)!, {
        outcomeLabel: item.data.label,
        outcomePosition: position,
      });
    else
      Object.assign(byId.get(item.data.outputId)!, {
        response: item.data.response,
        responsePosition: position,
      });
  });
  return [...byId.values()];
}

/** Every value the demo's plans compute over one window, keyed `metric subgroup`. */
function valuesOf(records: readonly Joined[], window: { from: string; to: string }): Map<string, number> {
  const inWindow = new OutputColumnsBuilder();
  for (const r of records) if (r.occurredAt >= window.from && r.occurredAt < window.to) inWindow.add(r);
  const columns = inWindow.finish();
  const values = new Map<string, number>();
  for (const plan of SEPSIS_COMPUTED_MONITORING)
    for (const v of computeWindow({ ...plan, positiveLabel: SEPSIS_LABELS.positive }, columns))
      values.set(`${plan.metric} ${v.subgroup ?? 'overall'}`, v.value);
  return values;
}

const breaches = (values: Map<string, number>) =>
  [...values].filter(([key, value]) => {
    const plan = SEPSIS_COMPUTED_MONITORING.find((p) => key.startsWith(`${p.metric} `))!;
    return plan.direction === 'max' ? value > plan.threshold : value < plan.threshold;
  });

/**
 * The windows the ledger computes, as its worker picks them (ending at UTC
 * midnights, from the first output to the last settled one), for a history
 * ending at `endText`: the demo runs at any time of day, which moves where the
 * short first window falls.
 */
function computedWindows(endText: string) {
  const history = sepsisClinicalUse({ ...options, end: Date.parse(endText) });
  const records = uses(history);
  const windows = dueWindows(
    { cadence: SEPSIS_MONITORING_WINDOW.cadence, computation: SEPSIS_MONITORING_WINDOW },
    Date.parse(records[0].occurredAt),
    Date.parse(endText),
    100,
  );
  return windows.map((window) => ({ ...window, values: valuesOf(records, window) }));
}
const ENDS = ['2026-12-06T00:30:00Z', '2026-12-06T11:00:00Z', '2026-12-06T23:50:00Z'];

describe("the demo's weeks of sepsis predictor use", () => {
  it('draws the same history from the same options, and never from Math.random', () => {
    const random = jest.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random is not reproducible');
    });
    try {
      expect(sepsisClinicalUse(options)).toEqual(history);
    } finally {
      random.mockRestore();
    }
    expect(sepsisClinicalUse({ ...options, seed: options.seed + 1 })).not.toEqual(history);
  });

  it('spreads outputs minutes apart over 8 weeks, and nothing lies after its end', () => {
    const times = outputs.map((o) => Date.parse(o.occurredAt));
    expect(outputs).toHaveLength(DEMO_SEPSIS_OUTPUTS);
    expect(times[0]).toBeGreaterThanOrEqual(end - 56 * DAY);
    expect(times[0]).toBeLessThan(end - 55 * DAY);
    const gaps = times
      .slice(1)
      .map((t, i) => t - times[i])
      .sort((a, b) => a - b);
    expect(gaps[0]).toBeGreaterThan(30_000);
    expect(gaps[gaps.length >> 1]).toBeGreaterThan(3 * 60_000);
    expect(gaps[gaps.length >> 1]).toBeLessThan(5 * 60_000);
    expect(gaps[gaps.length - 1]).toBeLessThan(8 * 60_000);
    const all = history.map((i) => Date.parse(i.occurredAt));
    expect(all.every((t, i) => i === 0 || t >= all[i - 1])).toBe(true);
    expect(Math.max(...all)).toBeLessThanOrEqual(end);
  });

  it('answers only alerts, minutes after them, and observes each outcome 12 to 48 hours after its output', () => {
    const produced = new Map(outputs.map((o) => [o.data.outputId, o]));
    const responses = history.filter((i) => i.type === 'ClinicianResponseRecorded');
    const outcomes = history.filter((i) => i.type === 'OutcomeObserved');
    expect(responses.length).toBeGreaterThan(0.08 * outputs.length);
    const after = (item: ClinicalUseItem) =>
      Date.parse(item.occurredAt) - Date.parse(produced.get(item.data.outputId)!.occurredAt);
    expect(responses.filter((r) => !produced.get(r.data.outputId)!.data.alerted)).toEqual([]);
    expect(responses.filter((r) => r.data.respondedAt !== r.occurredAt)).toEqual([]);
    expect(responses.filter((r) => after(r) < 2 * 60_000 || after(r) > 25 * 60_000)).toEqual([]);
    expect(outcomes.filter((o) => o.data.observedAt !== o.occurredAt)).toEqual([]);
    expect(outcomes.filter((o) => after(o) < 12 * 3_600_000 || after(o) > 48 * 3_600_000)).toEqual([]);
    // Only the last two days can still be waiting for an outcome.
    const observed = new Set(outcomes.map((o) => o.data.outputId));
    const waiting = outputs.filter((o) => !observed.has(o.data.outputId));
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.filter((o) => Date.parse(o.occurredAt) <= end - 2 * DAY)).toEqual([]);
  });

  it('carries coarse bands only, the same for every output about one patient, and alerts at the threshold', () => {
    const bands = new Map<string, Set<string>>();
    for (const { data } of outputs) {
      const seen = bands.get(data.patientId) ?? new Set();
      bands.set(data.patientId, seen.add(`${data.ageBand}|${data.sex}|${data.site}`));
    }
    expect([...bands.values()].filter((seen) => seen.size > 1)).toEqual([]);
    expect(bands.size).toBeGreaterThan(3000);
    expect(outputs.filter((o) => !AGE_BANDS.includes(o.data.ageBand))).toEqual([]);
    expect(outputs.filter((o) => o.data.alerted !== o.data.score >= SEPSIS_ALERT_THRESHOLD)).toEqual([]);
    expect(new Set(outputs.map((o) => o.data.ageBand))).toEqual(new Set(['18-39', '40-64', '65-79', '80+']));
  });

  it('scores the patients last on the wards again in the next round, with the version it is given, each keeping its bands', () => {
    const round = nextScoringRound(history, { seed: 17, at: end + 60_000, modelVersion: 'v1', patients: 40 });
    expect(round).toHaveLength(40);
    expect(round[0].data.patientId).toBe(outputs[outputs.length - 1].data.patientId);
    expect(new Set(round.map((o) => o.data.patientId)).size).toBe(40);
    const lastBefore = new Map(outputs.map((o) => [o.data.patientId, o.data]));
    for (const { occurredAt, data } of round) {
      const before = lastBefore.get(data.patientId)!;
      expect([data.modelVersion, data.ageBand, data.sex, data.site]).toEqual([
        'v1',
        before.ageBand,
        before.sex,
        before.site,
      ]);
      expect(Date.parse(occurredAt)).toBeGreaterThanOrEqual(end + 60_000);
      expect(data.alerted).toBe(data.score >= SEPSIS_ALERT_THRESHOLD);
    }
    expect(round[0].data.outputId).toBe(`sepsis-${String(DEMO_SEPSIS_OUTPUTS + 1).padStart(6, '0')}`);
    expect(
      nextScoringRound(history, { seed: 17, at: end + 60_000, modelVersion: 'v1', patients: 40 }),
    ).toEqual(round);
  });

  it.each(ENDS)(
    'ending at %s, is calibrated for five weeks and then drifts: the over-80 band breaches first, the whole population days later',
    (endText) => {
      const windows = computedWindows(endText);
      const driftStarts = Date.parse(endText) - 21 * DAY;
      expect(windows.length).toBeGreaterThan(50);
      const calibrated = windows.filter((w) => Date.parse(w.to) <= driftStarts);
      expect(calibrated.filter((w) => w.values.has('ece ageBand=80+')).length).toBeGreaterThan(25);
      expect(calibrated.flatMap((w) => breaches(w.values).map(([key]) => `${w.to} ${key}`))).toEqual([]);

      const last = windows[windows.length - 1].values;
      expect(last.get('ece overall')).toBeGreaterThan(0.08);
      expect(last.get('ece ageBand=80+')).toBeGreaterThan(1.5 * last.get('ece overall')!);
      expect(last.get('calibration_slope overall')).toBeLessThan(0.75);
      expect(last.get('override_rate overall')).toBeLessThan(0.5);
      const firstBreach = (key: string) =>
        windows.findIndex((w) => breaches(w.values).some(([k]) => k === key));
      expect(firstBreach('ece ageBand=80+')).toBeGreaterThan(0);
      expect(firstBreach('ece overall')).toBeGreaterThan(firstBreach('ece ageBand=80+') + 3);
    },
  );
});
