import { DomainError } from '../shared/domain-error';
import { parseInstant } from '../shared/time';
import { holdersAt } from './accountability';
import type { PlanMonitoring, RecordMonitoringSignal, RegisterMonitoringSource } from './commands';
import type { AiSystemEvent } from './events';
import { separationRefused } from './separation-of-duties';
import type { AiSystemRecord } from './state';
import { meetsThreshold, type AccountabilityRole } from './vocabulary';

/** The people who watch a system; a registered monitoring service may also report what it measures. */
const SIGNAL_ROLES: readonly AccountabilityRole[] = ['BIAS_DRIFT_MONITOR', 'MODEL_PERFORMANCE_OWNER'];

export function planMonitoring(cmd: PlanMonitoring, system: AiSystemRecord): AiSystemEvent[] {
  const { metric, threshold, direction, cadence } = cmd;
  return [
    { type: 'MonitoringPlanned', data: { systemId: system.systemId, metric, threshold, direction, cadence } },
  ];
}

export function registerMonitoringSource(
  cmd: RegisterMonitoringSource,
  system: AiSystemRecord,
): AiSystemEvent[] {
  if (cmd.serviceId === cmd.meta.actor)
    throw separationRefused(
      'SELF_ASSIGNMENT',
      `${cmd.meta.actor} tried to register themselves as a monitoring source of ${system.systemId}`,
      'register the monitoring service by the identity it authenticates as, from another account',
    );
  if (system.monitoringSources.includes(cmd.serviceId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `${cmd.serviceId} is already a monitoring source of ${system.systemId}`,
      'serviceId',
    );
  return [
    {
      type: 'MonitoringSourceRegistered',
      data: { systemId: system.systemId, serviceId: cmd.serviceId, registeredBy: cmd.meta.actor },
    },
  ];
}

/**
 * Records the signal, and a breach of exactly that signal (its kind, metric
 * and subgroup) beside it when it falls outside the planned threshold. A
 * signal comes only from someone who watches the system; a signal for an
 * unplanned metric is refused: without a threshold nobody would notice it
 * going wrong.
 */
export function recordMonitoringSignal(cmd: RecordMonitoringSignal, system: AiSystemRecord): AiSystemEvent[] {
  const { actor, at } = cmd.meta;
  const watchers = SIGNAL_ROLES.flatMap((role) => holdersAt(system, role, at));
  if (!watchers.includes(actor) && !system.monitoringSources.includes(actor))
    throw new DomainError(
      'NOT_MONITORING_SOURCE',
      `${actor} may not record monitoring signals for ${system.systemId}: signals come from the holder of ${SIGNAL_ROLES.join(' or ')} ` +
        `(now: ${watchers.join(', ') || 'none'}) or from a registered monitoring source (${system.monitoringSources.join(', ') || 'none'}); ` +
        'register the monitoring service as a source, or have a role holder record it',
    );
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
