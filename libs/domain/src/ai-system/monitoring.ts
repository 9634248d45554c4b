import { METRIC_METHODS, OUTCOME_METRICS } from '../monitoring/metrics';
import { DomainError } from '../shared/domain-error';
import { durationMs, isFixedDuration, millis, parseInstant } from '../shared/time';
import { holdersAt } from './accountability';
import type {
  MonitoringComputation,
  PlanMonitoring,
  RecordComputedSignal,
  RecordMonitoringSignal,
  RegisterMonitoringSource,
} from './commands';
import type { AiSystemEvent } from './events';
import { separationRefused } from './separation-of-duties';
import type { AiSystemRecord, MonitoringPlan } from './state';
import {
  COMPUTED_METRICS,
  meetsThreshold,
  type AccountabilityRole,
  type ComputedMetric,
  type SignalKind,
} from './vocabulary';

/**
 * The identity the ledger's own monitoring worker acts as. A token subject
 * may not contain '/', so no caller can present it.
 */
export const LEDGER_MONITOR = 'ledger/monitoring';

/** The people who watch a system; a registered monitoring service may also report what it measures. */
const SIGNAL_ROLES: readonly AccountabilityRole[] = ['BIAS_DRIFT_MONITOR', 'MODEL_PERFORMANCE_OWNER'];

export function planMonitoring(cmd: PlanMonitoring, system: AiSystemRecord): AiSystemEvent[] {
  const { metric, threshold, direction, cadence, computation } = cmd;
  if (computation) checkComputation(metric, cadence, computation);
  return [
    {
      type: 'MonitoringPlanned',
      data: {
        systemId: system.systemId,
        metric,
        threshold,
        direction,
        cadence,
        ...(computation ? { computation } : {}),
      },
    },
  ];
}

const isComputedMetric = (metric: string): metric is ComputedMetric =>
  (COMPUTED_METRICS as readonly string[]).includes(metric);

/**
 * A computation the worker can carry out as planned: a metric it knows how to
 * compute, windows of one fixed length that leave no output unmeasured, and
 * a positive class for the metrics that read outcomes.
 */
function checkComputation(metric: string, cadence: string, computation: MonitoringComputation): void {
  const refuse = (field: string, rule: string) => {
    throw new DomainError('VALIDATION_FAILED', `${field} ${rule}`, field);
  };
  if (!isComputedMetric(metric))
    refuse(
      'metric',
      `must be one the ledger computes (${COMPUTED_METRICS.join(', ')}) when the plan has a computation; got ${metric}. Plan other metrics without a computation and record their signals by hand`,
    );
  for (const [field, duration] of [
    ['cadence', cadence],
    ['computation.window', computation.window],
    ...(computation.settle === undefined ? [] : [['computation.settle', computation.settle]]),
  ]) {
    if (!isFixedDuration(duration))
      refuse(
        field,
        `must be an ISO 8601 duration in weeks, days, hours, minutes or seconds (months and years have no fixed length); got ${duration}`,
      );
    if (durationMs(duration) <= 0)
      refuse(
        field,
        `must be longer than zero; got ${duration}${field === 'computation.settle' ? ' (leave settle out to compute a window as soon as it ends)' : ''}`,
      );
  }
  if (durationMs(computation.window) < durationMs(cadence))
    refuse(
      'computation.window',
      `must be at least the cadence (${cadence}), or outputs between two windows would never be measured; got ${computation.window}`,
    );
  if (!Number.isInteger(computation.minSamples) || computation.minSamples < 1)
    refuse('computation.minSamples', `must be a whole number, 1 or more; got ${computation.minSamples}`);
  if (OUTCOME_METRICS.includes(metric as ComputedMetric) && !computation.positiveLabel?.trim())
    refuse(
      'computation.positiveLabel',
      `is required for ${metric}, which compares outputs with outcomes: name the outcome label that counts as positive, e.g. sepsis`,
    );
  if (!OUTCOME_METRICS.includes(metric as ComputedMetric) && computation.positiveLabel !== undefined)
    refuse('computation.positiveLabel', `means nothing for ${metric}, which reads no outcome; leave it out`);
  if (new Set(computation.subgroups ?? []).size !== (computation.subgroups ?? []).length)
    refuse(
      'computation.subgroups',
      `must name each dimension once; got ${computation.subgroups!.join(', ')}`,
    );
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
  // Otherwise a typed-in value in threshold would clear the breach the ledger measured.
  if (plan.computation)
    throw new DomainError(
      'VALIDATION_FAILED',
      `${cmd.metric} is computed by the ledger itself for ${system.systemId} from recorded outputs and outcomes; its signals cannot be typed in. Plan the metric without a computation to record it by hand`,
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

/**
 * Records one window the ledger computed: a MonitoringSignalComputed per
 * value, each followed by a breach of exactly that value (same kind, metric,
 * value, subgroup and instant, so BREACH_UNRESOLVED follows it per subgroup)
 * when it falls outside the plan's threshold. A subgroup's value is a bias
 * signal, the whole population's a performance signal. Only the ledger itself
 * records them, once per window, after the window has settled.
 */
export function recordComputedSignal(cmd: RecordComputedSignal, system: AiSystemRecord): AiSystemEvent[] {
  const { actor, at } = cmd.meta;
  if (actor !== LEDGER_MONITOR)
    throw new DomainError(
      'NOT_MONITORING_SOURCE',
      `${actor} may not record computed signals for ${system.systemId}: only the ledger computes them (${LEDGER_MONITOR}); record a value measured elsewhere with recordMonitoringSignal`,
    );
  const plan = system.monitoringPlans.find((p) => p.metric === cmd.metric);
  if (!plan?.computation)
    throw new DomainError(
      'NOT_FOUND',
      `${system.systemId} has no computed monitoring plan for ${cmd.metric}; plan it with a computation first`,
      'metric',
    );
  checkWindow(cmd, plan, plan.computation, millis(at));
  const kindOf = (subgroup?: string): SignalKind => (subgroup === undefined ? 'performance' : 'bias');
  return cmd.values.flatMap((v, i): AiSystemEvent[] => {
    if (!Number.isFinite(v.value))
      throw new DomainError(
        'VALIDATION_FAILED',
        `values[${i}].value must be a finite number`,
        `values[${i}].value`,
      );
    if (v.n < plan.computation!.minSamples)
      throw new DomainError(
        'VALIDATION_FAILED',
        `values[${i}].n is ${v.n}, below the plan's minSamples (${plan.computation!.minSamples}); such a value does not count`,
        `values[${i}].n`,
      );
    const dimension = v.subgroup?.split('=')[0];
    if (dimension !== undefined && !(plan.computation!.subgroups ?? []).some((d) => d === dimension))
      throw new DomainError(
        'VALIDATION_FAILED',
        `values[${i}].subgroup ${v.subgroup} is not along a planned dimension (${(plan.computation!.subgroups ?? []).join(', ') || 'none'})`,
        `values[${i}].subgroup`,
      );
    const observation = {
      systemId: system.systemId,
      kind: kindOf(v.subgroup),
      metric: cmd.metric,
      value: v.value,
      ...(v.subgroup === undefined ? {} : { subgroup: v.subgroup }),
      observedAt: cmd.window.to,
      ...(cmd.version === undefined ? {} : { version: cmd.version }),
    };
    const computed: AiSystemEvent = {
      type: 'MonitoringSignalComputed',
      data: {
        ...observation,
        metric: cmd.metric,
        method: METRIC_METHODS[cmd.metric],
        n: v.n,
        window: cmd.window,
        inputs: v.inputs,
        checkpoint: cmd.checkpoint,
      },
    };
    if (meetsThreshold(v.value, plan.threshold, plan.direction)) return [computed];
    return [
      computed,
      {
        type: 'MonitoringThresholdBreached',
        data: { ...observation, threshold: plan.threshold, direction: plan.direction },
      },
    ];
  });
}

/** The window the plan defines, ending on a multiple of the cadence, settled by `now`, and not computed before. */
function checkWindow(
  cmd: RecordComputedSignal,
  plan: MonitoringPlan,
  computation: MonitoringComputation,
  now: number,
): void {
  const from = parseInstant(cmd.window.from, 'window.from');
  const to = parseInstant(cmd.window.to, 'window.to');
  const refuse = (rule: string) => {
    throw new DomainError(
      'VALIDATION_FAILED',
      `window ${cmd.window.from}/${cmd.window.to} ${rule}`,
      'window',
    );
  };
  if (to - from !== durationMs(computation.window))
    refuse(`must span the plan's window, ${computation.window}`);
  if (to % durationMs(plan.cadence) !== 0)
    refuse(`must end on a multiple of the plan's cadence (${plan.cadence}) since 1970-01-01T00:00:00Z`);
  if (to + durationMs(computation.settle ?? 'PT0S') > now)
    refuse(
      `has not settled: it may be computed from ${new Date(to + durationMs(computation.settle ?? 'PT0S')).toISOString()}`,
    );
  if (plan.computedThrough !== undefined && to <= millis(plan.computedThrough))
    throw new DomainError(
      'ALREADY_EXISTS',
      `${cmd.metric} is computed through ${plan.computedThrough}; the window ending ${cmd.window.to} is not computed again`,
      'window',
    );
}
