import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  HOLDERS,
  MONITORING_SERVICE,
  SYSTEM,
  cmd,
  day,
  deployed,
  meta,
  run,
} from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';

/** Issue 14, path 9: monitoring signals from anyone. */
const given = specFor(aiSystemDecider());
const fnrGap = () =>
  run(
    [
      cmd.plan({
        metric: 'FNR-gap',
        threshold: 0.05,
        direction: 'max',
        meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(3)),
      }),
    ],
    deployed(),
  );
const signalBy = (actor: string, value = 0.84) => cmd.signal(value, { meta: meta(actor, day(9, 1)) });

describe('who may record a monitoring signal', () => {
  it('refuses a signal from someone who neither watches the system nor is a registered monitoring source', () =>
    given(...deployed())
      .when(signalBy('dev.dan', 0.99))
      .thenThrows('NOT_MONITORING_SOURCE'));

  it('refuses a signal from a former bias and drift monitor once the role has ended', () =>
    given(
      ...run(
        [
          cmd.assign('BIAS_DRIFT_MONITOR', 'dr.next', { assignmentId: 'next', meta: meta(ADMIN, day(5)) }),
          cmd.accept('next', 'dr.next', { meta: meta('dr.next', day(5)) }),
          cmd.revoke(`BIAS_DRIFT_MONITOR-${HOLDERS.BIAS_DRIFT_MONITOR}`, { meta: meta(ADMIN, day(6)) }),
        ],
        deployed(),
      ),
    )
      .when(signalBy(HOLDERS.BIAS_DRIFT_MONITOR))
      .thenThrows('NOT_MONITORING_SOURCE'));

  it.each([
    ['the bias and drift monitor', HOLDERS.BIAS_DRIFT_MONITOR],
    ['the model performance owner', HOLDERS.MODEL_PERFORMANCE_OWNER],
    ['a registered monitoring service', MONITORING_SERVICE],
    ['a registered monitoring service, however its token spells it', MONITORING_SERVICE.toUpperCase()],
  ])('accepts a signal from %s', (_, actor) =>
    given(...deployed())
      .when(signalBy(actor))
      .then([expect.objectContaining({ type: 'MonitoringSignalRecorded' })]),
  );
});

describe('registering a monitoring source', () => {
  const registered = () => run([cmd.register()]);

  it('records the service identity, normalised, and who registered it', () =>
    given(...registered())
      .when(cmd.monitoringSource(' Drift-Watcher '))
      .then([
        {
          type: 'MonitoringSourceRegistered',
          data: { systemId: SYSTEM, serviceId: 'drift-watcher', registeredBy: ADMIN },
        },
      ]));

  it('refuses anyone registering their own identity as a monitoring source', () =>
    given(...registered())
      .when(cmd.monitoringSource('dev.dan', { meta: meta('Dev.Dan') }))
      .thenThrows('SELF_ASSIGNMENT'));

  it('refuses the same source twice', () =>
    given(...run([cmd.monitoringSource()], registered()))
      .when(cmd.monitoringSource(MONITORING_SERVICE.toUpperCase()))
      .thenThrows('ALREADY_EXISTS', 'serviceId'));
});

describe('a breach marks exactly the breaching signal', () => {
  it('flags only the subgroup signal that breached, not an in-threshold overall signal at the same instant', () => {
    const at = { observedAt: day(9), meta: meta(MONITORING_SERVICE, day(9, 1)) };
    const history = run([cmd.signal(0.01, { kind: 'bias', metric: 'FNR-gap', ...at })], fnrGap());
    given(...history)
      .when(cmd.signal(0.09, { kind: 'bias', metric: 'FNR-gap', subgroup: 'female', ...at }))
      .then([
        {
          type: 'MonitoringSignalRecorded',
          data: expect.objectContaining({ subgroup: 'female', value: 0.09 }),
        },
        {
          type: 'MonitoringThresholdBreached',
          data: {
            systemId: SYSTEM,
            kind: 'bias',
            metric: 'FNR-gap',
            value: 0.09,
            threshold: 0.05,
            direction: 'max',
            subgroup: 'female',
            observedAt: day(9),
            version: '1.0.0',
          },
        },
      ]);
    expect(history.at(-1)).toEqual({
      type: 'MonitoringSignalRecorded',
      data: expect.not.objectContaining({ subgroup: expect.anything() }),
    });
  });
});
