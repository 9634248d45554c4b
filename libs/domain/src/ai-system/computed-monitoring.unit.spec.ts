import { METRIC_METHODS } from '../monitoring/metrics';
import { specFor } from '../testing/given-when-then';
import { HOLDERS, SYSTEM, cmd, computedValue, day, deployed, meta, run } from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';
import { LEDGER_MONITOR } from './monitoring';

const given = specFor(aiSystemDecider());
const computing = () => run([cmd.computedPlan()], deployed());
const window = { from: '2025-03-03T00:00:00.000Z', to: '2025-03-10T00:00:00.000Z' };
const checkpoint = { treeSize: 5000, rootHash: 'q'.repeat(43) + '=' };

describe('planning a computed metric', () => {
  it('records the computation with the plan', () =>
    given(...deployed())
      .when(cmd.computedPlan())
      .then([
        {
          type: 'MonitoringPlanned',
          data: {
            systemId: SYSTEM,
            metric: 'ppv',
            threshold: 0.3,
            direction: 'min',
            cadence: 'P1D',
            computation: {
              window: 'P7D',
              minSamples: 100,
              positiveLabel: 'sepsis',
              settle: 'P1D',
              subgroups: ['ageBand'],
            },
          },
        },
      ]));

  it('refuses a computation for a metric the ledger does not compute', () =>
    given(...deployed())
      .when(cmd.computedPlan({ metric: 'AUROC' }))
      .thenThrows('VALIDATION_FAILED', 'metric'));

  it('refuses an outcome metric without the label that counts as positive', () =>
    given(...deployed())
      .when(cmd.computedPlan({ computation: { window: 'P7D', minSamples: 100 } }))
      .thenThrows('VALIDATION_FAILED', 'computation.positiveLabel'));

  it('refuses a positive label for a metric that reads no outcome', () =>
    given(...deployed())
      .when(
        cmd.computedPlan({
          metric: 'override_rate',
          computation: { window: 'P7D', minSamples: 100, positiveLabel: 'sepsis' },
        }),
      )
      .thenThrows('VALIDATION_FAILED', 'computation.positiveLabel'));

  it.each([
    ['a zero window', { window: 'P0D' }, 'computation.window'],
    ['a zero settle', { settle: 'PT0S' }, 'computation.settle'],
    ['a window in months, which have no fixed length', { window: 'P1M' }, 'computation.window'],
    [
      'a window shorter than the cadence, leaving outputs unmeasured',
      { window: 'PT12H' },
      'computation.window',
    ],
    ['a minimum sample below one', { minSamples: 0 }, 'computation.minSamples'],
    ['a subgroup dimension named twice', { subgroups: ['ageBand', 'ageBand'] }, 'computation.subgroups'],
  ] as const)('refuses %s', (_, change, field) =>
    given(...deployed())
      .when(
        cmd.computedPlan({
          computation: {
            window: 'P7D',
            minSamples: 100,
            positiveLabel: 'sepsis',
            ...change,
            subgroups: 'subgroups' in change ? [...change.subgroups] : ['ageBand'],
          },
        }),
      )
      .thenThrows('VALIDATION_FAILED', field),
  );

  it('refuses a zero cadence for a computed plan', () =>
    given(...deployed())
      .when(cmd.computedPlan({ cadence: 'PT0S' }))
      .thenThrows('VALIDATION_FAILED', 'cadence'));
});

describe('recording a computed window', () => {
  const computedSignal = (value: number, n: number, subgroup?: string) => ({
    type: 'MonitoringSignalComputed' as const,
    data: {
      systemId: SYSTEM,
      kind: subgroup === undefined ? ('performance' as const) : ('bias' as const),
      metric: 'ppv' as const,
      value,
      ...(subgroup === undefined ? {} : { subgroup }),
      observedAt: window.to,
      version: '1.0.0',
      method: METRIC_METHODS.ppv,
      n,
      window,
      inputs: computedValue(value, n).inputs,
      checkpoint,
    },
  });

  it('records each value as a computed signal: the population as performance, a subgroup as bias', () =>
    given(...computing())
      .when(cmd.computed([computedValue(0.42, 900), computedValue(0.35, 150, 'ageBand=80+')]))
      .then([computedSignal(0.42, 900), computedSignal(0.35, 150, 'ageBand=80+')]));

  it('follows only the value outside the threshold with a breach of exactly that signal', () =>
    given(...computing())
      .when(cmd.computed([computedValue(0.42, 900), computedValue(0.12, 150, 'ageBand=80+')]))
      .then([
        computedSignal(0.42, 900),
        computedSignal(0.12, 150, 'ageBand=80+'),
        {
          type: 'MonitoringThresholdBreached',
          data: {
            systemId: SYSTEM,
            kind: 'bias',
            metric: 'ppv',
            value: 0.12,
            subgroup: 'ageBand=80+',
            observedAt: window.to,
            version: '1.0.0',
            threshold: 0.3,
            direction: 'min',
          },
        },
      ]));

  it.each([
    ['a person holding the performance role', HOLDERS.MODEL_PERFORMANCE_OWNER],
    ['a registered monitoring service', 'svc.drift-monitor'],
    ['a caller spelling the ledger differently', 'ledger.monitoring'],
  ])('refuses a computed signal from %s: only the ledger computes', (_, actor) =>
    given(...computing())
      .when(cmd.computed([computedValue(0.42, 900)], { meta: meta(actor, day(8)) }))
      .thenThrows('NOT_MONITORING_SOURCE'),
  );

  it('refuses a hand-typed signal for a metric the ledger computes, which could clear a measured breach', () =>
    given(...run([cmd.computed([computedValue(0.12, 900)])], computing()))
      .when(cmd.signal(0.9, { metric: 'ppv', meta: meta(HOLDERS.BIAS_DRIFT_MONITOR, day(9)) }))
      .thenThrows('VALIDATION_FAILED', 'metric'));

  it('refuses a computed signal for a metric planned without a computation', () =>
    given(...run([cmd.plan({ metric: 'ppv' })], deployed()))
      .when(cmd.computed([computedValue(0.42, 900)]))
      .thenThrows('NOT_FOUND', 'metric'));

  it('refuses a window before it has settled: the late outcomes are not in yet', () =>
    given(...computing())
      .when(
        cmd.computed([computedValue(0.42, 900)], { meta: meta(LEDGER_MONITOR, '2025-03-10T23:59:59.000Z') }),
      )
      .thenThrows('VALIDATION_FAILED', 'window'));

  it.each([
    ['is not the planned length', { from: '2025-03-04T00:00:00.000Z', to: '2025-03-10T00:00:00.000Z' }],
    ['does not end on the cadence', { from: '2025-03-03T06:00:00.000Z', to: '2025-03-10T06:00:00.000Z' }],
  ])('refuses a window that %s', (_, w) =>
    given(...computing())
      .when(cmd.computed([computedValue(0.42, 900)], { window: w }))
      .thenThrows('VALIDATION_FAILED', 'window'),
  );

  it('refuses to compute a window twice, or one before the last computed', () => {
    const once = run([cmd.computed([computedValue(0.42, 900)])], computing());
    given(...once)
      .when(cmd.computed([computedValue(0.5, 900)]))
      .thenThrows('ALREADY_EXISTS', 'window');
    given(...once)
      .when(
        cmd.computed([computedValue(0.5, 900)], {
          window: { from: '2025-03-02T00:00:00.000Z', to: '2025-03-09T00:00:00.000Z' },
        }),
      )
      .thenThrows('ALREADY_EXISTS', 'window');
  });

  it('keeps the computed history when the plan is changed', () =>
    given(
      ...run([cmd.computed([computedValue(0.42, 900)]), cmd.computedPlan({ threshold: 0.5 })], computing()),
    )
      .when(cmd.computed([computedValue(0.5, 900)]))
      .thenThrows('ALREADY_EXISTS', 'window'));

  it('refuses a value from fewer outputs than the plan requires', () =>
    given(...computing())
      .when(cmd.computed([computedValue(0.42, 99)]))
      .thenThrows('VALIDATION_FAILED', 'values[0].n'));

  it('refuses a subgroup along a dimension the plan does not break down by', () =>
    given(...computing())
      .when(cmd.computed([computedValue(0.42, 900, 'sex=female')]))
      .thenThrows('VALIDATION_FAILED', 'values[0].subgroup'));
});
