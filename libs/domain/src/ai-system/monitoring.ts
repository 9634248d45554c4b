import { DomainError } from '../shared/domain-error';
import { parseInstant } from '../shared/time';
import type { PlanMonitoring, RecordMonitoringSignal } from './commands';
import type { AiSystemEvent } from './events';
import type { AiSystemRecord } from './state';
import { meetsThreshold } from './vocabulary';

export function planMonitoring(cmd: PlanMonitoring, system: AiSystemRecord): AiSystemEvent[] {
  const { metric, threshold, direction, cadence } = cmd;
  return [
    { type: 'MonitoringPlanned', data: { systemId: system.systemId, metric, threshold, direction, cadence } },
  ];
}

/**
 * Records the signal, and a breach beside it when the signal falls outside
 * the planned threshold. A signal for an unplanned metric is refused: without
 * a threshold nobody would notice it going wrong.
 */
export function recordMonitoringSignal(cmd: RecordMonitoringSignal, system: AiSystemRecord): AiSystemEvent[] {
  parseInstant(cmd.observedAt, 'observedAt');
  const plan = system.monitoringPlans.find((p) => p.metric === cmd.metric);
  if (!plan)
    throw new DomainError(
      'NOT_FOUND',
      `${system.systemId} has no monitoring plan for metric ${cmd.metric}; plan it first (planned metrics: ${system.monitoringPlans.map((p) => p.metric).join(', ') || 'none'})`,
      'metric',
    );
  const { kind, metric, value, subgroup, observedAt } = cmd;
  const observation = {
    systemId: system.systemId,
    kind,
    metric,
    value,
    subgroup,
    observedAt,
    version: system.deployedVersion,
  };
  const recorded: AiSystemEvent = { type: 'MonitoringSignalRecorded', data: observation };
  if (meetsThreshold(value, plan.threshold, plan.direction)) return [recorded];
  return [
    recorded,
    {
      type: 'MonitoringThresholdBreached',
      data: { ...observation, threshold: plan.threshold, direction: plan.direction },
    },
  ];
}
