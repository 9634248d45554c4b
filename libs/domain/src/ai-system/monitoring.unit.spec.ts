import { specFor } from '../testing/given-when-then';
import { HOLDERS, SYSTEM, cmd, day, deployed, readyToDeploy, run } from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';

const given = specFor(aiSystemDecider());
const planned = () => run([cmd.plan()], deployed());

describe('planning monitoring', () => {
  it('records the metric, its threshold and direction, and the cadence', () =>
    given(...deployed())
      .when(cmd.plan())
      .then([
        {
          type: 'MonitoringPlanned',
          data: { systemId: SYSTEM, metric: 'AUROC', threshold: 0.8, direction: 'min', cadence: 'P7D' },
        },
      ]));

  it.each(['weekly', 'P', '7D'])('refuses a cadence %p that is not an ISO 8601 duration', (cadence) =>
    given(...deployed())
      .when(cmd.plan({ cadence }))
      .thenThrows('VALIDATION_FAILED', 'cadence'),
  );

  it('refuses a threshold that is not a finite number', () =>
    given(...deployed())
      .when(cmd.plan({ threshold: Number.POSITIVE_INFINITY }))
      .thenThrows('VALIDATION_FAILED', 'threshold'));
});

describe('recording monitoring signals', () => {
  it('records a signal within threshold against the live version', () =>
    given(...planned())
      .when(cmd.signal(0.84))
      .then([
        {
          type: 'MonitoringSignalRecorded',
          data: {
            systemId: SYSTEM,
            kind: 'performance',
            metric: 'AUROC',
            value: 0.84,
            observedAt: day(9),
            version: '1.0.0',
          },
        },
      ]));

  it('flags the system with a breach when a signal falls below a minimum', () =>
    given(...planned())
      .when(cmd.signal(0.72))
      .then([
        expect.objectContaining({ type: 'MonitoringSignalRecorded' }),
        {
          type: 'MonitoringThresholdBreached',
          data: {
            systemId: SYSTEM,
            kind: 'performance',
            metric: 'AUROC',
            value: 0.72,
            threshold: 0.8,
            direction: 'min',
            observedAt: day(9),
            version: '1.0.0',
          },
        },
      ]));

  it('flags a bias breach above a maximum, for the subgroup concerned', () =>
    given(...run([cmd.plan({ metric: 'FNR-gap', threshold: 0.05, direction: 'max' })], deployed()))
      .when(cmd.signal(0.09, { kind: 'bias', metric: 'FNR-gap', subgroup: 'female' }))
      .then([
        expect.objectContaining({ type: 'MonitoringSignalRecorded' }),
        {
          type: 'MonitoringThresholdBreached',
          data: expect.objectContaining({
            kind: 'bias',
            metric: 'FNR-gap',
            subgroup: 'female',
            value: 0.09,
            threshold: 0.05,
            direction: 'max',
          }),
        },
      ]));

  it('judges signals against the latest plan for the metric', () =>
    given(...run([cmd.plan({ threshold: 0.7 })], planned()))
      .when(cmd.signal(0.72))
      .then([expect.objectContaining({ type: 'MonitoringSignalRecorded' })]));

  it('records drift before deployment without a live version', () =>
    given(...run([cmd.plan({ metric: 'PSI', threshold: 0.2, direction: 'max' })], readyToDeploy()))
      .when(
        cmd.signal(0.1, {
          kind: 'drift',
          metric: 'PSI',
          meta: { actor: HOLDERS.BIAS_DRIFT_MONITOR, at: day(1, 5) },
        }),
      )
      .then([
        {
          type: 'MonitoringSignalRecorded',
          data: { systemId: SYSTEM, kind: 'drift', metric: 'PSI', value: 0.1, observedAt: day(9) },
        },
      ]));

  it('refuses a signal for a metric nobody planned to watch', () =>
    given(...planned())
      .when(cmd.signal(0.5, { metric: 'auroc' }))
      .thenThrows('NOT_FOUND', 'metric'));

  it('refuses an unknown kind of signal', () =>
    given(...planned())
      .when(cmd.signal(0.9, { kind: 'vibes' as never }))
      .thenThrows('VALIDATION_FAILED', 'kind'));

  it('refuses an observation time that is not an instant', () =>
    given(...planned())
      .when(cmd.signal(0.9, { observedAt: 'today' }))
      .thenThrows('VALIDATION_FAILED', 'observedAt'));
});
