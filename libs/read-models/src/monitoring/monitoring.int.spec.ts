import { GIVEN_AT, readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { monitoringReadModel } from './monitoring-read-model';

const spec = readModelSpec(monitoringReadModel);
afterAll(() => spec.close());

const systemId = 'sepsis';
const planned = (threshold: number, cadence: string, at: string): GivenEvent => ({
  type: 'MonitoringPlanned',
  at,
  data: { systemId, metric: 'auroc', threshold, direction: 'min', cadence },
});
const signal = (value: number, observedAt: string, subgroup?: string): GivenEvent => ({
  type: 'MonitoringSignalRecorded',
  data: {
    systemId,
    kind: 'drift',
    metric: 'auroc',
    value,
    observedAt,
    version: 'v2',
    ...(subgroup ? { subgroup } : {}),
  },
});
const signalRow = (position: number, value: number, observed_at: string, breach_event_id: string | null) => ({
  event_id: `e${position}`,
  tenant_id: 't1',
  system_id: systemId,
  position: String(position),
  kind: 'drift',
  metric: 'auroc',
  value,
  subgroup: null,
  observed_at,
  version: 'v2',
  breached: breach_event_id ? 1 : 0,
  breach_event_id,
  method: 'manual',
  n: null,
  window_from: null,
  window_to: null,
});

describe('monitoring read model', () => {
  it('keeps the latest plan for each metric', () =>
    spec
      .given(planned(0.8, 'P7D', '2026-01-01T00:00:00Z'), planned(0.85, 'P14D', '2026-01-09T00:00:00Z'))
      .then({
        reg_monitoring_plans: [
          {
            tenant_id: 't1',
            system_id: systemId,
            metric: 'auroc',
            threshold: 0.85,
            direction: 'min',
            cadence: 'P14D',
            computation: null,
            planned_at: '2026-01-09T00:00:00.000Z',
            event_id: 'e2',
          },
        ],
        reg_monitoring_sources: [],
        reg_signals: [],
      }));

  it('records each signal, and marks the one a breach follows', () =>
    spec
      .given(
        planned(0.8, 'P7D', '2026-01-01T00:00:00Z'),
        signal(0.85, '2026-01-05T00:00:00Z'),
        signal(0.7, '2026-01-06T12:00:00+02:00'),
        {
          type: 'MonitoringThresholdBreached',
          data: {
            systemId,
            kind: 'drift',
            metric: 'auroc',
            value: 0.7,
            threshold: 0.8,
            direction: 'min',
            observedAt: '2026-01-06T10:00:00Z',
            version: 'v2',
          },
        },
      )
      .then({
        reg_monitoring_plans: [
          {
            tenant_id: 't1',
            system_id: systemId,
            metric: 'auroc',
            threshold: 0.8,
            direction: 'min',
            cadence: 'P7D',
            computation: null,
            planned_at: '2026-01-01T00:00:00.000Z',
            event_id: 'e1',
          },
        ],
        reg_monitoring_sources: [],
        reg_signals: [
          signalRow(2, 0.85, '2026-01-05T00:00:00.000Z', null),
          signalRow(3, 0.7, '2026-01-06T10:00:00.000Z', 'e4'),
        ],
      }));

  it('marks only the breaching subgroup signal, not the in-threshold overall signal at the same instant', () =>
    spec
      .given(
        planned(0.8, 'P7D', '2026-01-01T00:00:00Z'),
        signal(0.85, '2026-01-05T00:00:00Z'),
        signal(0.7, '2026-01-05T00:00:00Z', 'age-80-plus'),
        {
          type: 'MonitoringThresholdBreached',
          data: {
            systemId,
            kind: 'drift',
            metric: 'auroc',
            value: 0.7,
            threshold: 0.8,
            direction: 'min',
            subgroup: 'age-80-plus',
            observedAt: '2026-01-05T00:00:00Z',
            version: 'v2',
          },
        },
      )
      .then({
        reg_monitoring_plans: [
          {
            tenant_id: 't1',
            system_id: systemId,
            metric: 'auroc',
            threshold: 0.8,
            direction: 'min',
            cadence: 'P7D',
            computation: null,
            planned_at: '2026-01-01T00:00:00.000Z',
            event_id: 'e1',
          },
        ],
        reg_monitoring_sources: [],
        reg_signals: [
          signalRow(2, 0.85, '2026-01-05T00:00:00.000Z', null),
          { ...signalRow(3, 0.7, '2026-01-05T00:00:00.000Z', 'e4'), subgroup: 'age-80-plus' },
        ],
      }));

  it('keeps a plan’s computation, and marks computed signals with their n and window beside manual ones', () => {
    const computation = {
      window: 'P7D',
      minSamples: 100,
      positiveLabel: 'sepsis',
      subgroups: ['ageBand' as const],
    };
    const window = { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' };
    const computed = (value: number, n: number, subgroup?: string): GivenEvent => ({
      type: 'MonitoringSignalComputed',
      data: {
        systemId,
        kind: subgroup ? 'bias' : 'performance',
        metric: 'auroc',
        method: 'AUROC as the Mann-Whitney U statistic',
        value,
        n,
        ...(subgroup ? { subgroup } : {}),
        window,
        observedAt: window.to,
        version: 'v2',
        inputs: {
          throughPosition: '90',
          count: 2 * n,
          firstPosition: '3',
          lastPosition: '88',
          positionsSha256: 'ab'.repeat(32),
        },
        checkpoint: { treeSize: 100, rootHash: 'q'.repeat(43) + '=' },
      },
    });
    const computedRow = (position: number, value: number, n: number, subgroup: string | null) => ({
      ...signalRow(position, value, '2026-01-08T00:00:00.000Z', null),
      kind: subgroup ? 'bias' : 'performance',
      subgroup,
      method: 'computed',
      n,
      window_from: '2026-01-01T00:00:00.000Z',
      window_to: '2026-01-08T00:00:00.000Z',
    });
    return spec
      .given(
        {
          type: 'MonitoringPlanned',
          at: '2026-01-01T00:00:00Z',
          data: { systemId, metric: 'auroc', threshold: 0.8, direction: 'min', cadence: 'P1D', computation },
        },
        computed(0.84, 900),
        computed(0.7, 150, 'ageBand=80+'),
        {
          type: 'MonitoringThresholdBreached',
          data: {
            systemId,
            kind: 'bias',
            metric: 'auroc',
            value: 0.7,
            threshold: 0.8,
            direction: 'min',
            subgroup: 'ageBand=80+',
            observedAt: window.to,
            version: 'v2',
          },
        },
      )
      .then({
        reg_monitoring_plans: [
          {
            tenant_id: 't1',
            system_id: systemId,
            metric: 'auroc',
            threshold: 0.8,
            direction: 'min',
            cadence: 'P1D',
            computation: JSON.stringify(computation),
            planned_at: '2026-01-01T00:00:00.000Z',
            event_id: 'e1',
          },
        ],
        reg_monitoring_sources: [],
        reg_signals: [
          computedRow(2, 0.84, 900, null),
          { ...computedRow(3, 0.7, 150, 'ageBand=80+'), breached: 1, breach_event_id: 'e4' },
        ],
      });
  });

  it('lists the services registered to report signals', () =>
    spec
      .given({
        type: 'MonitoringSourceRegistered',
        data: { systemId, serviceId: 'svc.drift-monitor', registeredBy: 'dr.perf' },
      })
      .then({
        reg_monitoring_plans: [],
        reg_monitoring_sources: [
          {
            tenant_id: 't1',
            system_id: systemId,
            service_id: 'svc.drift-monitor',
            registered_by: 'dr.perf',
            registered_at: GIVEN_AT,
            event_id: 'e1',
          },
        ],
        reg_signals: [],
      }));
});
