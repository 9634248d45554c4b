import {
  clinicalUse,
  computedSignals,
  plannedData,
  type PlannedComputation,
  type PositionedEvent,
} from '../../../test/support/clinical-use';
import { SignalRecomputation, type BundledEvent, type RecomputeOptions } from './signal-recompute';

const SYSTEM = 'sepsis-predictor';
const DAY = 86_400_000;
const START = '2026-03-01T00:00:00.000Z';
const CHECKPOINT = { treeSize: 1, rootHash: 'AAAA' };

const PLANS: PlannedComputation[] = [
  {
    metric: 'auroc',
    threshold: 0.7,
    direction: 'min',
    window: 'P1D',
    minSamples: 20,
    positiveLabel: 'sepsis',
    subgroups: ['ageBand', 'site'],
  },
  { metric: 'ece', threshold: 0.1, direction: 'max', window: 'P1D', minSamples: 20, positiveLabel: 'sepsis' },
  {
    metric: 'calibration_slope',
    threshold: 0.8,
    direction: 'min',
    window: 'P1D',
    minSamples: 20,
    positiveLabel: 'sepsis',
  },
  {
    metric: 'sensitivity',
    threshold: 0.6,
    direction: 'min',
    window: 'P1D',
    minSamples: 10,
    positiveLabel: 'sepsis',
    subgroups: ['sex'],
  },
  { metric: 'ppv', threshold: 0.3, direction: 'min', window: 'P1D', minSamples: 10, positiveLabel: 'sepsis' },
  {
    metric: 'override_rate',
    threshold: 0.4,
    direction: 'max',
    window: 'P1D',
    minSamples: 10,
    subgroups: ['ageBand'],
  },
  { metric: 'alert_rate', threshold: 0.5, direction: 'max', window: 'P1D', minSamples: 10 },
];

interface Ledger {
  events: PositionedEvent[];
  signals: number;
}

/**
 * A ledger as the store would order it: the plans, three days of use mixed
 * with another system's use under the same output ids, an outcome that
 * arrives before its output, a corrected outcome, a correction recorded after
 * the signals read, and the signals of each day computed when the next ends.
 */
function ledger(perDay = 300, outcomesLast = false): Ledger {
  const events: PositionedEvent[] = [];
  let position = 0n;
  const append = (type: string, data: Record<string, unknown>, occurredAt: string) => {
    const event = { type, position: ++position, data, occurredAt };
    events.push(event);
    return event;
  };
  for (const plan of PLANS) append('MonitoringPlanned', plannedData(SYSTEM, plan), START);
  const mine = clinicalUse({ systemId: SYSTEM, start: START, days: 3, perDay, seed: 7 });
  const theirs = clinicalUse({ systemId: 'other-system', start: START, days: 3, perDay: 50, seed: 8 });
  // The other system's outputs share ids with ours: only (systemId, outputId) tells them apart.
  const mixed = mine.flatMap((item, i) => (i % 7 === 0 && theirs[i / 7] ? [item, theirs[i / 7]] : [item]));
  // Outcomes recorded after every output, so each is joined to an output by an id looked up long after it was placed.
  const use = outcomesLast
    ? [
        ...mixed.filter((i) => i.type !== 'OutcomeObserved'),
        ...mixed.filter((i) => i.type === 'OutcomeObserved'),
      ]
    : mixed;
  // An outcome recorded before its output, as late and out-of-order arrival allows.
  const early = use.findIndex((i) => i.type === 'OutcomeObserved' && i.data.systemId === SYSTEM);
  const [outcome] = use.splice(early, 1);
  use.splice(
    use.findIndex((i) => i.type === 'AiOutputProduced' && i.data.outputId === outcome.data.outputId),
    0,
    outcome,
  );
  let signals = 0;
  const computeDay = (day: number) => {
    const from = new Date(Date.parse(START) + day * DAY).toISOString();
    const to = new Date(Date.parse(START) + (day + 1) * DAY).toISOString();
    const through = position;
    for (const plan of PLANS)
      for (const data of computedSignals({
        systemId: SYSTEM,
        plan,
        events,
        window: { from, to },
        through,
        checkpoint: CHECKPOINT,
      })) {
        append('MonitoringSignalComputed', data, to);
        signals++;
      }
  };
  let day = 0;
  for (const item of use) {
    const at = Date.parse(item.occurredAt);
    while (item.type === 'AiOutputProduced' && at >= Date.parse(START) + (day + 2) * DAY) computeDay(day++);
    append(item.type, item.data, item.occurredAt);
  }
  // A corrected outcome for one of day 0's outputs, then one recorded after every signal was computed.
  const corrected = events.find((e) => e.type === 'OutcomeObserved' && e.data.systemId === SYSTEM)!;
  append(
    'OutcomeObserved',
    { ...corrected.data, label: corrected.data.label === 'sepsis' ? 'no-sepsis' : 'sepsis' },
    START,
  );
  computeDay(day++);
  computeDay(day++);
  append('OutcomeObserved', { ...corrected.data, label: 'sepsis', source: 'late-review' }, START);
  return { events, signals };
}

const bundled = (e: PositionedEvent): BundledEvent => ({
  type: e.type,
  position: e.position,
  data: e.data,
  metadata: { occurredAt: e.occurredAt },
});

function recompute(events: PositionedEvent[], options: Partial<RecomputeOptions> = {}) {
  const recomputation = new SignalRecomputation({ systemId: SYSTEM, ...options });
  for (const e of events) recomputation.add(bundled(e));
  return recomputation.finish();
}

describe('recomputing computed signals from bundled events', () => {
  const intact = ledger();

  it('recomputes every signal of an intact ledger, overall and per subgroup, and finds each matches', () => {
    const result = recompute(intact.events);
    expect(result.failures).toEqual([]);
    expect(result.signals).toBe(intact.signals);
    expect(result.matched).toBe(intact.signals);
    // Overall and subgroup values of every metric over three days: far more than one per metric.
    expect(result.signals).toBeGreaterThan(PLANS.length * 3 * 2);
  });

  it('still joins each response and outcome to its own output once the outputs outgrow the id table it starts with', () => {
    // 3,600 outputs, their outcomes after all of them: the table of ids starts with room for
    // 1,024, so it has grown twice, placing every id anew, before any outcome looks its output up.
    const large = ledger(1200, true);
    const result = recompute(large.events);
    expect(result.failures).toEqual([]);
    expect(result.matched).toBe(large.signals);
  });

  it('an altered outcome, with every other field of the bundle consistent with it, fails on recomputation alone', () => {
    // The outcome of an alerted output read by day 1's signals, its label flipped: as if the ledger had computed from other data.
    const signal = intact.events.find(
      (e) =>
        e.type === 'MonitoringSignalComputed' && e.data.metric === 'ppv' && String(e.data.observedAt) > START,
    )!;
    const window = signal.data.window as { from: string; to: string };
    const outputs = new Set(
      intact.events
        .filter(
          (e) =>
            e.type === 'AiOutputProduced' &&
            e.data.systemId === SYSTEM &&
            e.data.alerted === true &&
            e.occurredAt >= window.from &&
            e.occurredAt < window.to,
        )
        .map((e) => e.data.outputId),
    );
    const target = intact.events.find(
      (e) =>
        e.type === 'OutcomeObserved' &&
        e.data.systemId === SYSTEM &&
        outputs.has(e.data.outputId) &&
        e.position < BigInt((signal.data.inputs as { throughPosition: string }).throughPosition),
    )!;
    const altered = intact.events.map((e) =>
      e === target
        ? { ...e, data: { ...e.data, label: e.data.label === 'sepsis' ? 'no-sepsis' : 'sepsis' } }
        : e,
    );
    const result = recompute(altered);
    expect(result.failures.length).toBeGreaterThan(0);
    expect(result.failures).toContainEqual({
      signal: { metric: 'ppv', window, position: signal.position.toString() },
      message: expect.stringMatching(/^value [0-9.e-]+ recorded, [0-9.e-]+ recomputed/),
    });
    // Only the signals of that output's window read it.
    for (const failure of result.failures) expect(failure.signal.window).toEqual(window);
  });

  it('a signal whose value was altered fails, naming the value recorded and the value recomputed', () => {
    const target = intact.events.find(
      (e) => e.type === 'MonitoringSignalComputed' && e.data.metric === 'auroc',
    )!;
    const altered = intact.events.map((e) =>
      e === target ? { ...e, data: { ...e.data, value: (e.data.value as number) + 1e-6 } } : e,
    );
    const result = recompute(altered);
    expect(result.failures).toEqual([
      {
        signal: expect.objectContaining({ metric: 'auroc', position: target.position.toString() }),
        message: `value ${(target.data.value as number) + 1e-6} recorded, ${target.data.value as number} recomputed`,
      },
    ]);
    expect(result.matched).toBe(intact.signals - 1);
  });

  it('a signal that names inputs it did not read fails on n, count and digest', () => {
    const target = intact.events.find(
      (e) => e.type === 'MonitoringSignalComputed' && e.data.metric === 'alert_rate',
    )!;
    const inputs = target.data.inputs as Record<string, unknown>;
    const altered = intact.events.map((e) =>
      e === target
        ? { ...e, data: { ...e.data, n: (e.data.n as number) + 1, inputs: { ...inputs, count: 1 } } }
        : e,
    );
    const [failure] = recompute(altered).failures;
    expect(failure.message).toMatch(
      /^n \d+ recorded, \d+ recomputed; inputs\.count 1 recorded, \d+ recomputed$/,
    );
  });

  it('a signal with no computed plan before it is reported, not recomputed against a guess', () => {
    const withoutPlans = intact.events.filter(
      (e) => !(e.type === 'MonitoringPlanned' && e.data.metric === 'ece'),
    );
    const result = recompute(withoutPlans);
    expect(result.failures.length).toBe(
      intact.events.filter((e) => e.data.metric === 'ece' && e.type === 'MonitoringSignalComputed').length,
    );
    expect(result.failures[0].message).toBe(
      'no MonitoringPlanned with a computation for ece precedes it in the bundle',
    );
  });

  it('a bundle cut to a period recomputes from the inputs it declares it holds, and names the signals whose inputs it does not', () => {
    const signals = intact.events.filter((e) => e.type === 'MonitoringSignalComputed');
    const lastDay = signals.filter((e) => e.occurredAt === signals.at(-1)!.occurredAt);
    const inputs = lastDay.map((e) => e.data.inputs as { firstPosition: string; throughPosition: string });
    const range = {
      first: inputs.map((i) => BigInt(i.firstPosition)).reduce((a, b) => (a < b ? a : b)),
      last: BigInt(inputs[0].throughPosition),
    };
    // What a cut export holds: every clinical-use event in the range, the plans, and the period's signals.
    const cut = intact.events.filter((e) =>
      e.type === 'MonitoringPlanned' || e.type === 'MonitoringSignalComputed'
        ? e.type === 'MonitoringPlanned' || lastDay.includes(e)
        : e.position >= range.first && e.position <= range.last,
    );
    const held = recompute(cut, { inputRanges: [range] });
    expect(held.failures).toEqual([]);
    expect(held.matched).toBe(lastDay.length);

    const short = recompute(cut, { inputRanges: [{ first: range.first + 1n, last: range.last }] });
    const outside = inputs.filter((i) => i.firstPosition === range.first.toString()).length;
    expect(outside).toBeGreaterThan(0);
    expect(short.failures).toHaveLength(outside);
    expect(short.matched).toBe(lastDay.length - outside);
    expect(short.failures[0].message).toMatch(
      /^its inputs \(positions \d+ to \d+\) are outside this bundle, which is cut to a period/,
    );
  });
});
